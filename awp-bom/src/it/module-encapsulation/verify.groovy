// The module using awp's internal packages must have failed to compile (invoker.buildResult =
// failure), and for the right reasons: each internal package is not exported to it.

def buildLog = new File(basedir, 'build.log')
def log = buildLog.getText('UTF-8')

// This script also runs when the build unexpectedly passed; then it is the one to report it.
assert log.contains('COMPILATION ERROR') :
        "the module using awp's internal packages did not fail to compile; see ${buildLog}"
assert log =~ /package dev\.awp\.internal is declared in module dev\.awp\.api, which does not export it to module example\.encapsulation/ :
        "dev.awp.internal is visible outside awp's modules; see ${buildLog}"
assert log =~ /package dev\.awp\.djl\.internal is declared in module dev\.awp\.djl, which does not export it/ :
        "dev.awp.djl.internal is visible outside dev.awp.djl; see ${buildLog}"
return true
