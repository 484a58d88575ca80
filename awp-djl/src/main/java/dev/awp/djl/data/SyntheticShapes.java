package dev.awp.djl.data;

import static com.google.common.base.Preconditions.checkArgument;

import dev.awp.djl.internal.SplitMix64;
import java.util.List;

/**
 * A procedurally generated 10-class dataset of 3×32×32 colour images: the default dataset of the
 * examples and tests, generated from a seed (about a second for 6,000 images) with no download.
 *
 * <p>The classes are kinds of shape: {@code 0 disc}, {@code 1 square}, {@code 2 triangle}, {@code 3
 * cross}, {@code 4 ring}, {@code 5 horizontal bars}, {@code 6 vertical bars}, {@code 7 diagonal
 * bars}, {@code 8 checker}, {@code 9 dots}. Classes 0–4 are solid shapes; classes 5–9 are textures
 * filling a disc- or square-shaped patch. Position, size, rotation, colours, clutter and noise are
 * random and drawn the same way for every class, so that only the shape tells the class: colours
 * never do, and the patch outlines of the textures are the outlines of the disc and the square.
 *
 * <p>It is small enough to train on a CPU and hard enough to show what adversarial training does.
 * Measured with {@link dev.awp.djl.model.SmallCnn} (defaults), 5,000 training and 1,000 test
 * images, batch 128, SGD (momentum 0.9, weight decay 5e-4, learning rate 0.05 divided by 10 at 50 %
 * and 75 % of training): plain training reaches 84 % clean test accuracy after 15 epochs (45–65 %
 * after 3–6), with about 1 % accuracy under PGD-10 at L∞ ε = 8/255. PGD-10 adversarial training at
 * ε = 8/255 with BatchNorm in inference mode during the attack (batch 32, learning rate 0.05, 2,000
 * images) reaches about 40–50 % clean and 25–30 % PGD-20 test accuracy after 8–15 epochs, after a
 * plateau at chance of 2–3 epochs that some seeds do not leave (seed 1 of the lab did not); with
 * BatchNorm in training mode during the attack it stays at chance.
 *
 * <h2>Generation, exactly</h2>
 *
 * <p>Image {@code i} of a split has label {@code i mod 10} (classes are balanced; a smaller dataset
 * is a prefix of a larger one with the same seed) and is drawn from its own {@code SplitMix64}
 * generator, seeded from {@code (seed, split, i)}; the training and test splits use different
 * generators. "U[a, b)" below is a uniform draw from that generator, made in the order listed.
 *
 * <ol>
 *   <li><b>Background</b>: colours {@code c0}, {@code c1} ~ U[0, 1)³ and an angle φ ~ U[0, 2π); the
 *       pixel at centre {@code p} (pixel {@code (x, y)} has centre {@code (x + ½, y + ½)}) gets
 *       {@code c0 + t (c1 − c0)} with {@code t = clamp(½ + ((p − (16, 16)) · (cos φ, sin φ)) / 32,
 *       0, 1)}: a linear gradient.
 *   <li><b>Foreground colour</b> {@code f} ~ U[0, 1)³, drawn again while its Euclidean distance to
 *       the mean background colour {@code (c0 + c1)/2} is below 0.3 (at most 64 draws; after that
 *       {@code f = 1 − (c0 + c1)/2}).
 *   <li><b>Clutter</b>: {@code k} ~ U{0, 1, 2} small discs, each with centre ~ U[0, 32)², radius ~
 *       U[1, 2.5) and colour ~ U[0, 1)³, painted over the background in that order.
 *   <li><b>Shape frame</b>: size {@code r} ~ U[6, 12) for solid shapes, U[7, 13) for textures;
 *       centre {@code (cx, cy)} ~ U[10, 22)²; then the class's rotation θ and parameters (below). A
 *       point {@code (px, py)} has frame coordinates {@code u = (dx cos θ + dy sin θ) / r}, {@code
 *       v = (−dx sin θ + dy cos θ) / r}, with {@code dx = px − cx}, {@code dy = py − cy}.
 *   <li><b>Shape</b>, as a set of frame points (θ is drawn first, then the listed parameters):
 *       <ul>
 *         <li>disc: θ = 0 (no draw); {@code u² + v² ≤ 1};
 *         <li>square: θ ~ U[0, π/2); {@code |u| ≤ 0.85 and |v| ≤ 0.85};
 *         <li>triangle: θ ~ U[0, 2π/3); the equilateral triangle with vertices at radius 1.2,
 *             {@code v ≥ −0.6 and √3 u + v ≤ 1.2 and −√3 u + v ≤ 1.2};
 *         <li>cross: θ ~ U[0, π/2); {@code (|u| ≤ 0.3 and |v| ≤ 1) or (|v| ≤ 0.3 and |u| ≤ 1)};
 *         <li>ring: θ = 0 (no draw); {@code 0.55² ≤ u² + v² ≤ 1};
 *         <li>textures, each inside a patch that is a disc ({@code u² + v² ≤ 1}) or a square
 *             ({@code |u|, |v| ≤ 0.85}) on a fair coin drawn after the texture's parameters; with
 *             {@code frac(z) = z − ⌊z⌋}, {@code U = u r / P}, {@code V = v r / P} (so that the
 *             period {@code P} is in pixels) and phases φ1, φ2 ~ U[0, 1):
 *             <ul>
 *               <li>horizontal bars: θ ~ U[−π/12, π/12), P ~ U[3.5, 6), φ1; {@code frac(V + φ1) <
 *                   ½};
 *               <li>vertical bars: θ ~ U[−π/12, π/12), P ~ U[3.5, 6), φ1; {@code frac(U + φ1) < ½};
 *               <li>diagonal bars: θ = ±π/4 + U[−π/12, π/12) (the sign on a fair coin drawn first),
 *                   P ~ U[3.5, 6), φ1; {@code frac(U + φ1) < ½};
 *               <li>checker: θ ~ U[0, π/2), P ~ U[5, 8), φ1, φ2; exactly one of {@code frac(U + φ1)
 *                   < ½} and {@code frac(V + φ2) < ½};
 *               <li>dots: θ ~ U[0, π/2), P ~ U[4, 6.5), φ1, φ2; {@code (frac(U + φ1) − ½)² +
 *                   (frac(V + φ2) − ½)² ≤ 0.3²}.
 *             </ul>
 *       </ul>
 *       Each pixel is blended towards {@code f} by its coverage: the fraction of the four points
 *       {@code (x + ¼ + ½a, y + ¼ + ½b)}, {@code a, b ∈ {0, 1}}, inside the shape (clutter discs
 *       are blended the same way).
 *   <li><b>Noise</b>: σ ~ U[0, 0.08); then, pixel by pixel (row-major) and channel by channel, four
 *       draws {@code n1..n4} ~ U[0, 1) add {@code σ √3 (n1 + n2 + n3 + n4 − 2)} (zero mean,
 *       standard deviation σ).
 *   <li><b>Bytes</b>: each value is clamped to [0, 1] and stored as {@code ⌊255 v + ½⌋}.
 * </ol>
 *
 * <p>Trigonometric functions are {@link StrictMath}'s and the generator is specified in this
 * package, so a seed gives the same bytes on every JVM.
 */
public final class SyntheticShapes {

    /** The number of classes. */
    public static final int NUM_CLASSES = 10;

    private static final List<String> CLASS_NAMES =
            List.of(
                    "disc",
                    "square",
                    "triangle",
                    "cross",
                    "ring",
                    "horizontal bars",
                    "vertical bars",
                    "diagonal bars",
                    "checker",
                    "dots");

    private static final long STREAM = 0x7368617065L;
    private static final long TRAIN = 1;
    private static final long TEST = 2;
    private static final int SIDE = ImageDataset.WIDTH;
    private static final int PLANE = SIDE * SIDE;
    private static final double MIN_CONTRAST = 0.3;
    private static final double SQRT3 = StrictMath.sqrt(3);

    private SyntheticShapes() {}

    /**
     * The class names, by class index.
     *
     * @return an unmodifiable list of 10 names
     */
    public static List<String> classNames() {
        return CLASS_NAMES;
    }

    /**
     * Generates training images.
     *
     * @param size the number of images, at least 1
     * @param seed the seed
     * @return the dataset, named {@code "SyntheticShapes train (seed <seed>)"}
     * @throws IllegalArgumentException if {@code size < 1} or too large for one byte array
     */
    public static ImageDataset train(int size, long seed) {
        return generate(size, seed, TRAIN, "SyntheticShapes train (seed " + seed + ")");
    }

    /**
     * Generates test images, drawn independently of the training images of the same seed.
     *
     * @param size the number of images, at least 1
     * @param seed the seed
     * @return the dataset, named {@code "SyntheticShapes test (seed <seed>)"}
     * @throws IllegalArgumentException if {@code size < 1} or too large for one byte array
     */
    public static ImageDataset test(int size, long seed) {
        return generate(size, seed, TEST, "SyntheticShapes test (seed " + seed + ")");
    }

    private static ImageDataset generate(int size, long seed, long split, String name) {
        checkArgument(
                size >= 1 && size <= Integer.MAX_VALUE / ImageDataset.IMAGE_BYTES,
                "size must be in [1, %s] but was %s",
                Integer.MAX_VALUE / ImageDataset.IMAGE_BYTES,
                size);
        byte[] images = new byte[size * ImageDataset.IMAGE_BYTES];
        int[] labels = new int[size];
        double[] canvas = new double[ImageDataset.IMAGE_BYTES];
        for (int i = 0; i < size; i++) {
            labels[i] = i % NUM_CLASSES;
            SplitMix64 rng = SplitMix64.derive(seed, STREAM, split, i);
            render(labels[i], rng, canvas);
            int offset = i * ImageDataset.IMAGE_BYTES;
            for (int k = 0; k < canvas.length; k++) {
                double v = Math.min(1, Math.max(0, canvas[k]));
                images[offset + k] = (byte) (int) Math.floor(255 * v + 0.5);
            }
        }
        return new ImageDataset(name, images, labels, NUM_CLASSES);
    }

    /** Renders one image of the class into {@code canvas} (CHW, values before clamping). */
    static void render(int label, SplitMix64 rng, double[] canvas) {
        // 1. background gradient
        double[] c0 = color(rng);
        double[] c1 = color(rng);
        double phi = rng.uniform(0, 2 * Math.PI);
        double gx = StrictMath.cos(phi);
        double gy = StrictMath.sin(phi);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double t = ((x + 0.5 - 16) * gx + (y + 0.5 - 16) * gy) / 32 + 0.5;
                t = Math.min(1, Math.max(0, t));
                for (int c = 0; c < 3; c++) {
                    canvas[c * PLANE + y * SIDE + x] = c0[c] + t * (c1[c] - c0[c]);
                }
            }
        }
        // 2. foreground colour, away from the mean background colour
        double[] mean = {(c0[0] + c1[0]) / 2, (c0[1] + c1[1]) / 2, (c0[2] + c1[2]) / 2};
        double[] fg = null;
        for (int attempt = 0; attempt < 64 && fg == null; attempt++) {
            double[] candidate = color(rng);
            if (distance(candidate, mean) >= MIN_CONTRAST) {
                fg = candidate;
            }
        }
        if (fg == null) {
            fg = new double[] {1 - mean[0], 1 - mean[1], 1 - mean[2]};
        }
        // 3. clutter
        int clutter = rng.nextInt(3);
        for (int k = 0; k < clutter; k++) {
            double cx = rng.uniform(0, SIDE);
            double cy = rng.uniform(0, SIDE);
            double radius = rng.uniform(1, 2.5);
            double[] color = color(rng);
            paint(canvas, color, (px, py) -> sq(px - cx) + sq(py - cy) <= sq(radius));
        }
        // 4. and 5. the shape
        boolean solid = label < 5;
        double r = solid ? rng.uniform(6, 12) : rng.uniform(7, 13);
        double cx = rng.uniform(10, 22);
        double cy = rng.uniform(10, 22);
        Figure figure = figure(label, r, rng);
        double cos = StrictMath.cos(figure.theta);
        double sin = StrictMath.sin(figure.theta);
        Region region = figure.region;
        paint(
                canvas,
                fg,
                (px, py) -> {
                    double dx = px - cx;
                    double dy = py - cy;
                    return region.contains((dx * cos + dy * sin) / r, (-dx * sin + dy * cos) / r);
                });
        // 6. noise
        double sigma = rng.uniform(0, 0.08);
        for (int p = 0; p < PLANE; p++) {
            for (int c = 0; c < 3; c++) {
                double n =
                        rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble();
                canvas[c * PLANE + p] += sigma * SQRT3 * (n - 2);
            }
        }
    }

    /** A set of points in a frame. */
    private interface Region {
        boolean contains(double u, double v);
    }

    /** A region in frame coordinates and the rotation of the frame. */
    private static final class Figure {
        final double theta;
        final Region region;

        Figure(double theta, Region region) {
            this.theta = theta;
            this.region = region;
        }
    }

    /** Draws the class's rotation and parameters (step 5 of the class Javadoc). */
    private static Figure figure(int label, double r, SplitMix64 rng) {
        switch (label) {
            case 0:
                return new Figure(0, (u, v) -> u * u + v * v <= 1);
            case 1:
                return new Figure(rng.uniform(0, Math.PI / 2), SyntheticShapes::inSquare);
            case 2:
                return new Figure(
                        rng.uniform(0, 2 * Math.PI / 3),
                        (u, v) -> v >= -0.6 && SQRT3 * u + v <= 1.2 && -SQRT3 * u + v <= 1.2);
            case 3:
                return new Figure(
                        rng.uniform(0, Math.PI / 2),
                        (u, v) ->
                                (Math.abs(u) <= 0.3 && Math.abs(v) <= 1)
                                        || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1));
            case 4:
                return new Figure(
                        0,
                        (u, v) -> {
                            double d = u * u + v * v;
                            return d >= 0.55 * 0.55 && d <= 1;
                        });
            case 5:
                {
                    double theta = rng.uniform(-Math.PI / 12, Math.PI / 12);
                    double scale = r / rng.uniform(3.5, 6);
                    double phase = rng.nextDouble();
                    return texture(theta, rng, (u, v) -> frac(v * scale + phase) < 0.5);
                }
            case 6:
                {
                    double theta = rng.uniform(-Math.PI / 12, Math.PI / 12);
                    double scale = r / rng.uniform(3.5, 6);
                    double phase = rng.nextDouble();
                    return texture(theta, rng, (u, v) -> frac(u * scale + phase) < 0.5);
                }
            case 7:
                {
                    double sign = rng.nextBoolean() ? 1 : -1;
                    double theta = sign * Math.PI / 4 + rng.uniform(-Math.PI / 12, Math.PI / 12);
                    double scale = r / rng.uniform(3.5, 6);
                    double phase = rng.nextDouble();
                    return texture(theta, rng, (u, v) -> frac(u * scale + phase) < 0.5);
                }
            case 8:
                {
                    double theta = rng.uniform(0, Math.PI / 2);
                    double scale = r / rng.uniform(5, 8);
                    double phase1 = rng.nextDouble();
                    double phase2 = rng.nextDouble();
                    return texture(
                            theta,
                            rng,
                            (u, v) ->
                                    (frac(u * scale + phase1) < 0.5)
                                            != (frac(v * scale + phase2) < 0.5));
                }
            case 9:
                {
                    double theta = rng.uniform(0, Math.PI / 2);
                    double scale = r / rng.uniform(4, 6.5);
                    double phase1 = rng.nextDouble();
                    double phase2 = rng.nextDouble();
                    return texture(
                            theta,
                            rng,
                            (u, v) ->
                                    sq(frac(u * scale + phase1) - 0.5)
                                                    + sq(frac(v * scale + phase2) - 0.5)
                                            <= 0.3 * 0.3);
                }
            default:
                throw new IllegalArgumentException(
                        "label must be in [0, " + NUM_CLASSES + ") but was " + label);
        }
    }

    /** A texture inside a disc or square patch, chosen on a coin drawn now. */
    private static Figure texture(double theta, SplitMix64 rng, Region pattern) {
        Region patch = rng.nextBoolean() ? (u, v) -> u * u + v * v <= 1 : SyntheticShapes::inSquare;
        return new Figure(theta, (u, v) -> patch.contains(u, v) && pattern.contains(u, v));
    }

    private static boolean inSquare(double u, double v) {
        return Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
    }

    private static double frac(double z) {
        return z - Math.floor(z);
    }

    private static double[] color(SplitMix64 rng) {
        return new double[] {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
    }

    private static double distance(double[] a, double[] b) {
        return Math.sqrt(sq(a[0] - b[0]) + sq(a[1] - b[1]) + sq(a[2] - b[2]));
    }

    private static double sq(double value) {
        return value * value;
    }

    /** A set of points in image coordinates. */
    private interface Area {
        boolean contains(double px, double py);
    }

    /** Blends every pixel towards {@code color} by the area's 2×2-supersampled coverage. */
    private static void paint(double[] canvas, double[] color, Area area) {
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int inside = 0;
                for (int b = 0; b < 2; b++) {
                    for (int a = 0; a < 2; a++) {
                        if (area.contains(x + 0.25 + 0.5 * a, y + 0.25 + 0.5 * b)) {
                            inside++;
                        }
                    }
                }
                if (inside > 0) {
                    double coverage = inside / 4.0;
                    for (int c = 0; c < 3; c++) {
                        int k = c * PLANE + y * SIDE + x;
                        canvas[k] += coverage * (color[c] - canvas[k]);
                    }
                }
            }
        }
    }
}
