/** A consumer on the module path: awp's jars resolve by their Automatic-Module-Name. */
module example.consumer {
    requires dev.awp.api;
    requires dev.awp.djl;
    requires ai.djl.api;
}
