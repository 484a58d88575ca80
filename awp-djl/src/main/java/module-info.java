/**
 * awp-djl: the DJL binding of {@code dev.awp.api} — AWP as a DJL optimizer wrapper, the attacks,
 * the trainer, the robustness evaluator, models, data and diagnostics.
 *
 * <p>{@code dev.awp.api} and DJL's {@code ai.djl.api} are part of this module's API ({@code
 * requires transitive}). Two dependencies are optional, as in the Maven build: the PyTorch engine
 * ({@code ai.djl.pytorch_engine}), needed only by {@code dev.awp.djl.torchscript} and for training
 * on PyTorch, and XChart ({@code org.knowm.xchart}), needed only by {@code
 * dev.awp.djl.diagnostics.Plots} (with {@code java.desktop}); a module path application that uses
 * them adds them with {@code requires} (or {@code --add-modules}). {@code dev.awp.djl.internal} is
 * not exported. DJL, Guava, JNA and XChart are automatic modules (named by their jars' {@code
 * Automatic-Module-Name}), hence the suppressed warnings.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module dev.awp.djl {
    requires transitive dev.awp.api;
    requires transitive ai.djl.api;
    requires com.google.common;
    // RobustnessReportJson.toTree returns a Gson JsonObject
    requires transitive com.google.gson;
    requires com.sun.jna;
    requires org.slf4j;
    // not transitive: javac would then demand it of every module that requires this one
    requires static ai.djl.pytorch_engine;
    // XChart draws with AWT
    requires static org.knowm.xchart;
    requires static java.desktop;
    requires static org.immutables.value;

    exports dev.awp.djl;
    exports dev.awp.djl.attack;
    exports dev.awp.djl.data;
    exports dev.awp.djl.diagnostics;
    exports dev.awp.djl.evaluation;
    exports dev.awp.djl.model;
    exports dev.awp.djl.objective;
    exports dev.awp.djl.perturbation;
    exports dev.awp.djl.torchscript;
    exports dev.awp.djl.training;
}
