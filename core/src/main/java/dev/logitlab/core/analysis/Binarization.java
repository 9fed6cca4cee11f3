package dev.logitlab.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.Comparator;
import java.util.List;

/**
 * The binarization test (Zimmermann et al. 2022, "Increasing Confidence in Adversarial Robustness Evaluations"):
 * around each example a binary task is built whose answer is known. The image and {@value #INNER} − 1 random points
 * within 0.95ε are class 0, one random vertex of the ε-ball is class 1, and a linear readout on the model's
 * penultimate features (its logits when those are out of reach) separates them. An adversarial example within ε
 * then exists by construction, and the evaluation's attacks, run on the binarized model, must find one. A task whose
 * readout cannot separate the points is invalid and not counted.
 */
public final class Binarization {

    /** Where the readout reads: a logitlab network's penultimate layer, or the logits of a model from outside. */
    public static final String PENULTIMATE = "penultimate layer";
    public static final String LOGITS = "logits";

    /** How many examples are tested. */
    public static final int EXAMPLES = 10;
    static final int INNER = 100;
    static final double ETA = 0.95;
    private static final int STEPS = 300;

    /** {@code valid} tests had a separating readout; in {@code passed} of them an attack found class 1. */
    public record Result(int examples, int valid, int passed, String features) {

        /** Valid tests the attacks failed, beyond which the check fails: 10% of the valid ones, at least one. */
        public int allowedMisses() {
            return Math.max(1, (int) Math.floor(0.1 * valid));
        }
    }

    private Binarization() {
    }

    /** What one example's test costs at most: the readout's points, then every attack on the binarized model. */
    public static double cost(List<Attack> attacks) {
        return INNER + 1 + attacks.stream().mapToDouble(Attack::cost).sum();
    }

    /** The test on each of the given examples at ℓ∞ budget ε with the given attacks, cheapest first. */
    public static Result run(Classifier model, NDArray images, int[] labels, List<Attack> attacks, double eps, long seed) {
        List<Attack> cheapestFirst = attacks.stream().sorted(Comparator.comparingDouble(Attack::cost)).toList();
        Classifier.WithFeatures features = model instanceof Classifier.WithFeatures f ? f : model::logits;
        int valid = 0, passed = 0;
        for (int i = 0; i < labels.length; i++) {
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray x = images.get(i + ":" + (i + 1)).duplicate();
                x.attach(scope);
                Torch.seed(seed + i);
                Readout readout = Readout.fit(features, points(scope, x, eps));
                if (readout == null) {
                    continue;
                }
                valid++;
                Classifier binary = readout.binarize(model, features);
                for (Attack attack : cheapestFirst) {
                    if (attack.run(binary, x, new int[] {0}, eps, seed + i)[0]) {
                        passed++;
                        break;
                    }
                }
            }
        }
        return new Result(labels.length, valid, passed,
                model instanceof Classifier.WithFeatures ? PENULTIMATE : LOGITS);
    }

    /** Row 0 the image, rows 1 … INNER − 1 uniform within 0.95ε, the last row a random ε-vertex: all in [0, 1]. */
    private static NDArray points(NDManager scope, NDArray x, double eps) {
        Shape one = x.getShape();
        Shape inner = new Shape(INNER - 1, one.get(1), one.get(2), one.get(3));
        NDArray around = x.add(scope.randomUniform((float) (-ETA * eps), (float) (ETA * eps), inner));
        NDArray vertex = x.add(scope.randomUniform(-1, 1, one).sign().mul((float) eps));
        return x.concat(around).concat(vertex).clip(0, 1);
    }

    /** A linear readout w·(f − μ) + b on features: positive means class 1. */
    private record Readout(float[] mean, float[] weights, float bias) {

        /**
         * Logistic regression (the boundary point weighted as much as all inner points together), then the bias set
         * halfway between the highest inner score and the boundary's; null when no such bias separates them.
         */
        static Readout fit(Classifier.WithFeatures features, NDArray points) {
            NDArray f = features.features(points);
            int m = (int) f.getShape().get(0), d = (int) (f.size() / m);
            float[] v = f.toFloatArray();
            float[] mean = new float[d];
            for (int r = 0; r < m - 1; r++) {
                for (int k = 0; k < d; k++) {
                    mean[k] += v[r * d + k] / (m - 1);
                }
            }
            double scale = 1e-12;
            for (int r = 0; r < m; r++) {
                for (int k = 0; k < d; k++) {
                    v[r * d + k] -= mean[k];
                    scale = Math.max(scale, Math.abs(v[r * d + k]));
                }
            }
            double[] w = new double[d];
            double b = 0;
            for (int step = 0; step < STEPS; step++) {
                double[] gw = new double[d];
                double gb = 0;
                for (int r = 0; r < m; r++) {
                    boolean boundary = r == m - 1;
                    double weight = boundary ? 0.5 : 0.5 / (m - 1);
                    double z = b;
                    for (int k = 0; k < d; k++) {
                        z += w[k] * v[r * d + k] / scale;
                    }
                    double error = (1 / (1 + Math.exp(-z)) - (boundary ? 1 : 0)) * weight;
                    for (int k = 0; k < d; k++) {
                        gw[k] += error * v[r * d + k] / scale;
                    }
                    gb += error;
                }
                for (int k = 0; k < d; k++) {
                    w[k] -= 2 * gw[k];
                }
                b -= 2 * gb;
            }
            double highestInner = Double.NEGATIVE_INFINITY, boundary = 0;
            for (int r = 0; r < m; r++) {
                double z = 0;
                for (int k = 0; k < d; k++) {
                    z += w[k] * v[r * d + k] / scale;
                }
                if (r == m - 1) {
                    boundary = z;
                } else {
                    highestInner = Math.max(highestInner, z);
                }
            }
            if (!(boundary > highestInner)) {
                return null;
            }
            float[] weights = new float[d];
            for (int k = 0; k < d; k++) {
                weights[k] = (float) (w[k] / scale);
            }
            return new Readout(mean, weights, (float) (-(highestInner + boundary) / 2));
        }

        /** The model with this readout as its last layer: logits (0, w·(f − μ) + b). */
        Classifier binarize(Classifier model, Classifier.WithFeatures features) {
            return new Classifier() {
                @Override
                public String description() {
                    return model.description() + " (binarized)";
                }

                @Override
                public NDManager manager() {
                    return model.manager();
                }

                @Override
                public NDArray logits(NDArray images) {
                    NDArray f = features.features(images);
                    NDManager m = f.getManager();
                    NDArray score = f.reshape(f.getShape().get(0), -1).sub(m.create(mean))
                            .matMul(m.create(weights, new Shape(weights.length, 1))).add(bias);
                    return score.zerosLike().concat(score, 1);
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
