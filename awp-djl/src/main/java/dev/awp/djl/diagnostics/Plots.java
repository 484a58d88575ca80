package dev.awp.djl.diagnostics;

import static java.util.Objects.requireNonNull;

import dev.awp.djl.internal.AtomicFiles;
import dev.awp.report.Accuracy;
import dev.awp.report.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG and SVG plots of weight loss landscapes and training curves, drawn with <a
 * href="https://knowm.org/open-source/xchart/">XChart</a>, an optional dependency of awp-djl: add
 * {@code org.knowm.xchart:xchart} to your build to use this class.
 */
public final class Plots {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private Plots() {}

    /**
     * Plots the adversarial (solid) and clean (dashed) loss along α of one or more landscapes.
     *
     * @param base the output path without extension; {@code base.png} and {@code base.svg} are
     *     written (parent folders are created)
     * @param landscapes the landscapes, one pair of curves each
     * @return the two files written
     * @throws IOException if a file cannot be written
     */
    public static List<Path> landscape(Path base, List<LandscapeResult> landscapes)
            throws IOException {
        requireNonNull(base, "base");
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title("Weight loss landscape")
                        .xAxisTitle("α (filter-normalized direction)")
                        .yAxisTitle("loss")
                        .build();
        for (LandscapeResult landscape : landscapes) {
            chart.addSeries(
                            landscape.name() + " adversarial",
                            landscape.alphas(),
                            landscape.adversarialLoss())
                    .setMarker(SeriesMarkers.NONE);
            chart.addSeries(landscape.name() + " clean", landscape.alphas(), landscape.cleanLoss())
                    .setMarker(SeriesMarkers.NONE)
                    .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        }
        return save(chart, base);
    }

    /**
     * Plots per-epoch curves of one or more runs: train and test robust accuracy, their gap, clean
     * accuracy in one chart ({@code base.png/.svg}); the learning rate in a second one ({@code
     * base-learning-rate.png/.svg}). Epochs without an evaluation are skipped in the first.
     *
     * @param base the output path without extension
     * @param runs the runs by name, each a list of epoch metrics
     * @return the four files written
     * @throws IOException if a file cannot be written
     */
    public static List<Path> trainingCurves(Path base, Map<String, List<EpochMetrics>> runs)
            throws IOException {
        requireNonNull(base, "base");
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title("Robust overfitting")
                        .xAxisTitle("epoch")
                        .yAxisTitle("accuracy / gap")
                        .build();
        runs.forEach(
                (name, metrics) -> {
                    series(chart, name + " test robust", metrics, m -> value(m.robustAccuracy()));
                    series(
                            chart,
                            name + " train robust",
                            metrics,
                            m -> value(m.trainRobustAccuracy()));
                    series(chart, name + " gap", metrics, EpochMetrics::robustGap);
                    series(chart, name + " test clean", metrics, m -> value(m.cleanAccuracy()));
                });
        XYChart rates =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT / 2)
                        .title("Learning rate")
                        .xAxisTitle("epoch")
                        .yAxisTitle("learning rate")
                        .build();
        runs.forEach(
                (name, metrics) ->
                        series(rates, name, metrics, m -> Optional.of(m.learningRate())));
        List<Path> files = new ArrayList<>(save(chart, base));
        files.addAll(save(rates, Path.of(base + "-learning-rate")));
        return files;
    }

    private static Optional<Double> value(Optional<Accuracy> accuracy) {
        return accuracy.map(Accuracy::value);
    }

    private static void series(
            XYChart chart,
            String name,
            List<EpochMetrics> metrics,
            Function<EpochMetrics, Optional<Double>> value) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (EpochMetrics m : metrics) {
            value.apply(m)
                    .ifPresent(
                            v -> {
                                x.add((double) m.epoch());
                                y.add(v);
                            });
        }
        if (!x.isEmpty()) {
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    /** Writes {@code base.png} and {@code base.svg}, each atomically ({@link AtomicFiles}). */
    private static List<Path> save(XYChart chart, Path base) throws IOException {
        Path png = Path.of(base + ".png");
        Path svg = Path.of(base + ".svg");
        AtomicFiles.write(
                png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        AtomicFiles.write(
                svg,
                out ->
                        VectorGraphicsEncoder.saveVectorGraphic(
                                chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
        return List.of(png, svg);
    }
}
