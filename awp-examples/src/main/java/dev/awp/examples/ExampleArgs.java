package dev.awp.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A tiny command-line parser for the examples: {@code --name value} options and {@code --flag}
 * switches, each allowed once. Unknown options are errors, so typos do not pass silently.
 */
public final class ExampleArgs {

    private final Map<String, String> values = new LinkedHashMap<>();

    private ExampleArgs() {}

    /**
     * Parses the arguments.
     *
     * @param args the arguments
     * @param options the options that take a value, without {@code --}
     * @param flags the switches, without {@code --}
     * @return the parsed arguments
     * @throws IllegalArgumentException if an argument is unknown, repeated or lacks its value
     */
    public static ExampleArgs parse(String[] args, Set<String> options, Set<String> flags) {
        ExampleArgs parsed = new ExampleArgs();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.isBlank()) {
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "arguments must be --options but was '" + arg + "'; see --help");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (flags.contains(name)) {
                value = "true";
            } else if (options.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(
                            "--" + name + " must be followed by a value");
                }
                value = args[++i];
            } else {
                value = null;
            }
            if (!options.contains(name) && !flags.contains(name)) {
                throw new IllegalArgumentException(
                        "option must be one of "
                                + describe(options, flags)
                                + " but was --"
                                + name
                                + "; see --help");
            }
            if (parsed.values.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " must be given once");
            }
        }
        return parsed;
    }

    /**
     * Whether a switch or an option was given.
     *
     * @param name the name, without {@code --}
     * @return whether it was given
     */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * An option's value as given.
     *
     * @param name the name, without {@code --}
     * @param defaultValue the value when the option is absent
     * @return the value, or {@code defaultValue}
     */
    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * An integer option.
     *
     * @param name the name, without {@code --}
     * @param defaultValue the value when the option is absent
     * @param min the smallest value allowed
     * @return the value, or {@code defaultValue}
     * @throws IllegalArgumentException if the value is not an integer or is below {@code min}
     */
    public int integer(String name, int defaultValue, int min) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " must be an integer but was '" + value + "'", e);
        }
        if (parsed < min) {
            throw new IllegalArgumentException(
                    "--" + name + " must be >= " + min + " but was " + parsed);
        }
        return parsed;
    }

    /**
     * A positive number, written as a decimal ({@code 0.1}) or a fraction ({@code 8/255}).
     *
     * @param name the name, without {@code --}
     * @param defaultValue the value when the option is absent
     * @return the value, or {@code defaultValue}
     * @throws IllegalArgumentException if the value is not a positive finite number
     */
    public double positive(String name, double defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        double parsed;
        try {
            int slash = value.indexOf('/');
            parsed =
                    slash < 0
                            ? Double.parseDouble(value)
                            : Double.parseDouble(value.substring(0, slash))
                                    / Double.parseDouble(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " must be a number such as 0.1 or 8/255 but was '" + value + "'",
                    e);
        }
        if (!(parsed > 0) || Double.isInfinite(parsed)) {
            throw new IllegalArgumentException(
                    "--" + name + " must be positive and finite but was " + value);
        }
        return parsed;
    }

    private static String describe(Set<String> options, Set<String> flags) {
        StringBuilder all = new StringBuilder();
        for (String option : options) {
            all.append(all.length() == 0 ? "" : ", ").append("--").append(option);
        }
        for (String flag : flags) {
            all.append(", --").append(flag);
        }
        return all.toString();
    }
}
