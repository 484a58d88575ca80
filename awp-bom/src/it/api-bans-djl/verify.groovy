// The awp-api build with ai.djl:api added must have failed (invoker.buildResult = failure), and
// for the right reason: its ban-engine-dependencies execution, naming the banned artifact.

def buildLog = new File(basedir, 'build.log')
def log = buildLog.getText('UTF-8')

// This script also runs when the build unexpectedly passed; then it is the one to report it.
assert log.contains('maven-enforcer-plugin') && log.contains('(ban-engine-dependencies) on project awp-api') :
        'the awp-api build with ai.djl:api did not fail in its ban-engine-dependencies enforcer execution ' +
        "(it passed, or failed elsewhere); see ${buildLog}"
assert log.contains('BannedDependencies failed') :
        "the ban-engine-dependencies failure does not come from the bannedDependencies rule; see ${buildLog}"
assert log =~ /ai\.djl:api:jar:\S+ <--- banned/ :
        "the enforcer failure does not name ai.djl:api as the banned dependency; see ${buildLog}"
return true
