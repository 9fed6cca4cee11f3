package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Classifier;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FAB-T, the targeted fast adaptive boundary attack (Croce &amp; Hein 2020, ICML), as AutoAttack runs it: for each
 * of the top-{@code targets} runner-up classes t, linearise g = z_y − z_t at the current point, project both the
 * current point and the original onto that hyperplane ({@link BoundaryProjection}), step to a mix of the two
 * biased towards the original (α ≤ α_max), overshoot by η; whenever the point is misclassified record its
 * distance and step back towards the original by β. A minimum-norm attack: it reports, per example, the
 * smallest distance at which it found a misclassified point, and at ε an example is broken when that is ≤ ε.
 * On a linear model the first step lands exactly on the decision boundary (times η).
 */
public record Fab(Norm norm, int steps, int targets) implements MinimumNormAttack {

    @Override
    public boolean targeted() {
        return true;
    }

    static final double ETA = 1.05;
    static final double BETA = 0.9;
    static final double ALPHA_MAX = 0.1;

    public Fab {
        if (steps < 1 || targets < 1) {
            throw new IllegalArgumentException("fab-t needs steps ≥ 1 and targets ≥ 1");
        }
    }

    @Override
    public String name() {
        return "fab-t";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("steps", steps);
        params.put("targets", targets);
        params.put("eta", ETA);
        params.put("beta", BETA);
        params.put("alphaMax", ALPHA_MAX);
        return params;
    }

    /** A gradient (3) and a forward pass (1) per step and target. */
    @Override
    public double cost() {
        return 4.0 * steps * targets;
    }


    /**
     * All target classes side by side, one row per (class, example) (AutoAttack runs them in turn: the survivors of
     * a cascade, few per shard, still fill a batch); an example's rows leave once it is within {@code stopAt}.
     */
    @Override
    public float[] minimalNorms(Classifier model, NDArray images, int[] labels, double stopAt) {
        Shape shape = images.getShape();
        int n = labels.length;
        float[] clean = images.toFloatArray();
        float[] best = new float[n];
        Arrays.fill(best, Float.POSITIVE_INFINITY);
        try (NDManager scope = model.manager().newSubManager()) {
            float[] logits = logits(model, scope, clean, n, shape);
            int classes = logits.length / n;
            List<Integer> rows = new ArrayList<>();
            List<Integer> targetOfRow = new ArrayList<>();
            for (int rank = 1; rank <= Math.min(targets, classes - 1); rank++) {
                for (int i = 0; i < n; i++) {
                    if (argMax(logits, i, classes) == labels[i]) {
                        rows.add(i);
                        targetOfRow.add(ranked(logits, i, classes, rank));
                    } else {
                        best[i] = 0;
                    }
                }
            }
            if (!rows.isEmpty()) {
                search(model, scope, clean, labels, rows.stream().mapToInt(Integer::intValue).toArray(),
                        targetOfRow.stream().mapToInt(Integer::intValue).toArray(), best, shape, stopAt);
            }
        }
        return best;
    }

    /**
     * One FAB run per row, row a from example {@code active[a]} towards class {@code target[a]}; improves {@code best}
     * in place, and drops the rows of an example once it is within {@code stopAt}.
     */
    private void search(Classifier model, NDManager scope, float[] clean, int[] labels, int[] active, int[] target,
                        float[] best, Shape shape, double stopAt) {
        int n = active.length;
        int d = (int) (shape.size() / shape.get(0));
        float[] origin = new float[n * d];
        for (int a = 0; a < n; a++) {
            System.arraycopy(clean, active[a] * d, origin, a * d, d);
        }
        float[] x = origin.clone();
        float[] w = new float[n * d];
        float[] toCurrent = new float[n * d];
        float[] toOrigin = new float[n * d];
        int[] y = new int[n];
        for (int a = 0; a < n; a++) {
            y[a] = labels[active[a]];
        }
        for (int step = 0; step < steps && n > 0; step++) {
            Shape batch = new Shape(n, shape.get(1), shape.get(2), shape.get(3));
            float[] g;
            int[] yNow = Arrays.copyOf(y, n);
            int[] targetNow = Arrays.copyOf(target, n);
            try (NDManager local = scope.newSubManager()) {
                NDArray input = local.create(FloatBuffer.wrap(x, 0, n * d), batch);
                NDArray[] difference = new NDArray[1];
                NDArray gradient = model.gradient(input, logits -> {
                    difference[0] = Losses.trueLogit(logits, AttackArrays.oneHot(yNow, logits))
                            .sub(Losses.trueLogit(logits, AttackArrays.oneHot(targetNow, logits)));
                    return difference[0].sum();
                });
                g = difference[0].toFloatArray();
                System.arraycopy(gradient.toFloatArray(), 0, w, 0, n * d);
            }
            for (int a = 0; a < n; a++) {
                int o = a * d;
                // Hyperplane g(x) + w·(v − x) = 0. From x it needs w·d = −g; from the origin −g − w·(origin − x).
                double shift = 0;
                for (int k = o; k < o + d; k++) {
                    shift += (double) w[k] * (origin[k] - x[k]);
                }
                BoundaryProjection.project(norm, x, w, o, d, -g[a], toCurrent);
                BoundaryProjection.project(norm, origin, w, o, d, -g[a] - shift, toOrigin);
                double fromCurrent = Math.max(norm.of(toCurrent, o, d), 1e-8);
                double fromOrigin = Math.max(norm.of(toOrigin, o, d), 1e-8);
                double alpha = Math.min(fromCurrent / (fromCurrent + fromOrigin), ALPHA_MAX);
                for (int k = o; k < o + d; k++) {
                    double moved = (x[k] + ETA * toCurrent[k]) * (1 - alpha) + (origin[k] + ETA * toOrigin[k]) * alpha;
                    x[k] = (float) Math.max(0, Math.min(1, moved));
                }
            }
            float[] logits = logits(model, scope, x, n, batch);
            int classes = logits.length / n;
            for (int a = 0; a < n; a++) {
                if (argMax(logits, a, classes) == y[a]) {
                    continue;
                }
                int o = a * d;
                float[] delta = new float[d];
                for (int k = 0; k < d; k++) {
                    delta[k] = x[o + k] - origin[o + k];
                }
                best[active[a]] = (float) Math.min(best[active[a]], norm.of(delta, 0, d));
                for (int k = 0; k < d; k++) {
                    x[o + k] = (float) (origin[o + k] + BETA * delta[k]);
                }
            }
            int kept = 0;
            for (int a = 0; a < n; a++) {
                if (best[active[a]] > stopAt || stopAt == Double.POSITIVE_INFINITY) { // +∞: search to the end
                    if (kept != a) {
                        System.arraycopy(x, a * d, x, kept * d, d);
                        System.arraycopy(origin, a * d, origin, kept * d, d);
                        active[kept] = active[a];
                        target[kept] = target[a];
                        y[kept] = y[a];
                    }
                    kept++;
                }
            }
            n = kept;
        }
    }

    private static float[] logits(Classifier model, NDManager scope, float[] pixels, int n, Shape shape) {
        try (NDManager local = scope.newSubManager()) {
            return model.logits(local.create(FloatBuffer.wrap(pixels, 0, n * (int) (shape.size() / shape.get(0))),
                    new Shape(n, shape.get(1), shape.get(2), shape.get(3)))).toFloatArray();
        }
    }

    static int argMax(float[] logits, int row, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (logits[row * classes + k] > logits[row * classes + best]) {
                best = k;
            }
        }
        return best;
    }

    /** The class at position {@code rank} when row's logits are sorted from highest (rank 0) down. */
    static int ranked(float[] logits, int row, int classes, int rank) {
        Integer[] order = new Integer[classes];
        for (int k = 0; k < classes; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (i, j) -> Float.compare(logits[row * classes + j], logits[row * classes + i]));
        return order[rank];
    }
}
