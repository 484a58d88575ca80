// Runs after bom-consumer compiled. Variables: basedir, localRepositoryPath (the IT repository),
// awpVersion and reactorRoot (from the invoker configuration in awp-bom/pom.xml).

def compiled = new File(basedir, 'target/classes/example/BomConsumer.class')
assert compiled.isFile() : "the consumer did not compile: ${compiled} is missing"

// The awp jars the consumer compiled against are the ones this reactor build just packaged.
['awp-api', 'awp-djl'].each { id ->
    def installed = new File(localRepositoryPath, "dev/awp/${id}/${awpVersion}/${id}-${awpVersion}.jar")
    def built = new File(reactorRoot, "${id}/target/${id}-${awpVersion}.jar")
    assert installed.isFile() : "${id} was not installed into the IT repository: ${installed}"
    assert installed.bytes == built.bytes : "${installed} is not the jar this build packaged (${built})"
}

// The BOM as installed (and deployed): the flattened pom, with nothing but metadata and the
// management of our own modules.
def bomFile = new File(localRepositoryPath, "dev/awp/awp-bom/${awpVersion}/awp-bom-${awpVersion}.pom")
assert bomFile.isFile() : "awp-bom was not installed into the IT repository: ${bomFile}"
def bom = new groovy.xml.XmlSlurper().parse(bomFile)

def metadata = ['modelVersion', 'groupId', 'artifactId', 'version', 'packaging', 'name', 'description',
                'url', 'inceptionYear', 'organization', 'licenses', 'developers', 'contributors',
                'mailingLists', 'scm', 'issueManagement', 'ciManagement', 'distributionManagement'] as Set
def unexpected = bom.children()*.name().findAll { !(it in metadata) && it != 'dependencyManagement' }
assert unexpected.isEmpty() : "the published BOM must hold only metadata and dependencyManagement, " +
        "but ${bomFile} also has ${unexpected}"

assert bom.groupId.text() == 'dev.awp' && bom.artifactId.text() == 'awp-bom' && bom.version.text() == awpVersion
assert bom.packaging.text() == 'pom'

def managed = bom.dependencyManagement.dependencies.dependency.collect { d ->
    [groupId: d.groupId.text(), artifactId: d.artifactId.text(), version: d.version.text(),
     extra: d.children()*.name().findAll { !(it in ['groupId', 'artifactId', 'version']) }]
}
assert managed*.artifactId == ['awp-api', 'awp-djl', 'awp-spark'] && managed.every { it.groupId == 'dev.awp' } :
        "the BOM must manage exactly dev.awp:awp-api, dev.awp:awp-djl and dev.awp:awp-spark, but manages " +
        managed.collect { "${it.groupId}:${it.artifactId}" }
managed.each { d ->
    // ${project.version} is kept by flatten's bom mode; importing projects resolve it to the BOM's version.
    assert d.version in [awpVersion, '${project.version}'] : "${d.artifactId} is managed at version ${d.version}"
    assert d.extra.isEmpty() : "${d.artifactId} must be a plain managed jar, but has ${d.extra}"
}
return true
