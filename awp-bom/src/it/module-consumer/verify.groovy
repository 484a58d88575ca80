// Runs after module-consumer compiled: a module-info that requires dev.awp.api and dev.awp.djl
// resolves against the jars this reactor packaged. Their descriptors are checked here: real
// (not automatic) modules that export every API package, keep dev.awp.djl.internal to
// themselves and export dev.awp.internal to dev.awp.djl only.
import java.lang.module.ModuleDescriptor
import java.lang.module.ModuleFinder

def compiled = new File(basedir, 'target/classes/module-info.class')
assert compiled.isFile() : "the module consumer did not compile: ${compiled} is missing"

def descriptor = { String id, String name ->
    def jar = new File(reactorRoot, "${id}/target/${id}-${awpVersion}.jar").toPath()
    def modules = ModuleFinder.of(jar).findAll()
    assert modules.size() == 1 : "${jar} is not one module"
    ModuleDescriptor d = modules.iterator().next().descriptor()
    assert d.name() == name : "${jar} is module ${d.name()}, not ${name}"
    assert !d.isAutomatic() : "${jar} has no module-info: it is an automatic module"
    assert d.opens().isEmpty() : "${name} opens packages: ${d.opens()}"
    d
}
def exports = { ModuleDescriptor d ->
    d.exports().collectEntries { e -> [(e.source()): e.isQualified() ? e.targets() : 'all'] }
}

def api = exports(descriptor('awp-api', 'dev.awp.api'))
assert api == ['dev.awp.attack': 'all', 'dev.awp.event': 'all', 'dev.awp.objective': 'all',
               'dev.awp.perturbation': 'all', 'dev.awp.report': 'all', 'dev.awp.training': 'all',
               'dev.awp.internal': ['dev.awp.djl'] as Set] :
        "dev.awp.api exports ${api}"

def djl = exports(descriptor('awp-djl', 'dev.awp.djl'))
def djlPackages = ['dev.awp.djl', 'dev.awp.djl.attack', 'dev.awp.djl.data', 'dev.awp.djl.diagnostics',
                   'dev.awp.djl.evaluation', 'dev.awp.djl.model', 'dev.awp.djl.objective',
                   'dev.awp.djl.perturbation', 'dev.awp.djl.torchscript', 'dev.awp.djl.training']
assert djl == djlPackages.collectEntries { [(it): 'all'] } : "dev.awp.djl exports ${djl}"

// Run the consumer on the module path (awp-djl's required dependencies only, as a user gets
// them): awp's classes link there, JNA's binding included, and the internal packages stay awp's.
def modulePath = [new File(basedir, 'target/classes').path,
                  new File(basedir, 'classpath.txt').getText('UTF-8').trim()].join(File.pathSeparator)
def java = new File(System.getProperty('java.home'), 'bin/java').path
def process = new ProcessBuilder(java, '--module-path', modulePath,
        '--module', 'example.consumer/example.ModuleConsumer').redirectErrorStream(true).start()
def output = process.inputStream.getText('UTF-8')
process.waitFor()
new File(basedir, 'run.log').text = output
assert process.exitValue() == 0 : "ModuleConsumer failed on the module path:\n${output}"
assert output.contains('optimizer: dev.awp.djl.perturbation.AwpOptimizer') : output
assert output.contains('modules: dev.awp.djl dev.awp.api example.consumer') : output
assert output.contains('djl.internal exported: false') : output
assert output.contains('api.internal exported to consumer: false') : output
assert output.contains('api.internal exported to djl: true') : output
assert output =~ /mallopt: (true|false)/ : output
true
