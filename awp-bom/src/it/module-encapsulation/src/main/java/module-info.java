/** A consumer on the module path that must not see awp's internal packages. */
module example.encapsulation {
    requires dev.awp.djl;
}
