package dev.awp.spark;

/**
 * {@link SparkEvaluationTest}'s tests on {@code local[4,2]}: four task threads (more than the
 * machine's two cores, so tasks of one executor JVM wait for each other's evaluation), a failed
 * task retried once.
 */
class SparkEvaluationLocal4Test extends SparkEvaluationTest {

    @Override
    String master() {
        return "local[4,2]";
    }
}
