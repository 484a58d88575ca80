// Runs after module-consumer compiled: a module-info that requires dev.awp.api and dev.awp.djl
// resolves against the jars this reactor packaged.
def compiled = new File(basedir, 'target/classes/module-info.class')
assert compiled.isFile() : "the module consumer did not compile: ${compiled} is missing"
['awp-api': 'dev.awp.api', 'awp-djl': 'dev.awp.djl'].each { id, name ->
    def jar = new java.util.jar.JarFile(new File(reactorRoot, "${id}/target/${id}-${awpVersion}.jar"))
    assert jar.manifest.mainAttributes.getValue('Automatic-Module-Name') == name
}
true
