package dev.awp.djl.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The library, engine and platform versions that training and evaluation reports record, described
 * one way for both.
 */
public final class Environment {

    private static final String POM_PROPERTIES = "/META-INF/maven/dev.awp/awp-djl/pom.properties";

    private Environment() {}

    /**
     * The environment of a computation.
     *
     * @param engine the engine the model runs on (its manager's, not the default engine)
     * @param device the device it runs on
     * @return awp, DJL, engine and Java versions, the device and the operating system, in a fixed
     *     order
     */
    public static Map<String, String> describe(Engine engine, Device device) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("awp.version", awpVersion());
        environment.put("djl.version", String.valueOf(Engine.getDjlVersion()));
        environment.put("engine", engine.getEngineName());
        environment.put("engine.version", String.valueOf(engine.getVersion()));
        environment.put("device", device.toString());
        environment.put("java.version", System.getProperty("java.version", "unknown"));
        environment.put(
                "os",
                System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?"));
        return environment;
    }

    private static String awpVersion() {
        String version = Environment.class.getPackage().getImplementationVersion();
        if (version != null) {
            return version;
        }
        try (InputStream in = Environment.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through: the version is informative only
        }
        return "unknown";
    }
}
