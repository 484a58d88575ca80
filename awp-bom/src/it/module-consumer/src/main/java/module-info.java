/** A consumer on the module path: awp's modules resolve by their names. */
module example.consumer {
    requires dev.awp.api;
    requires dev.awp.djl;
    requires ai.djl.api;
}
