package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Classifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Square attack (Andriushchenko et al. 2020): gradient-free random search that keeps a proposal when the margin
 * z_y − max_{j≠y} z_j drops. In ℓ∞ it starts from vertical stripes of ±ε, and each query moves one random square
 * window (side from the p-schedule) to a new vertex of the ε-ball. In ℓ2 see {@link SquareL2}. One query per
 * active example per iteration, all examples in one forward pass; images live in Java arrays, only logits come
 * back from libtorch.
 */
public record SquareAttack(Norm norm, int queries, double p) implements Attack {

    /** AutoAttack's and the paper's initial window fraction. */
    public static final double P_INIT = 0.8;
    private static final int[] HALVINGS = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};

    public SquareAttack {
        if (queries < 1 || !(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("square needs queries ≥ 1 and p in (0, 1]");
        }
    }

    @Override
    public String name() {
        return "square";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("queries", queries);
        params.put("p", p);
        params.put("loss", "margin");
        params.put("schedule", "p halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 of 10000 (scaled)");
        return params;
    }

    @Override
    public double cost() {
        return queries;
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        Shape shape = images.getShape();
        int n = (int) shape.get(0), c = (int) shape.get(1), h = (int) shape.get(2), w = (int) shape.get(3);
        int d = c * h * w;
        float eps = (float) epsilon;
        float[] clean = images.toFloatArray();
        SplittableRandom[] random = streams(seed, clean, n, d);
        float[] best = new float[n * d];
        if (norm == Norm.LINF) {
            stripes(random, clean, best, n, c, h, w, eps);
        } else {
            SquareL2.init(random, clean, best, n, c, h, w, eps);
        }
        try (NDManager scope = model.manager().newSubManager()) {
            float[] margin = margins(model, scope, clean, labels, allOf(n), shape);
            boolean[] wrong = new boolean[n];
            for (int i = 0; i < n; i++) {
                wrong[i] = margin[i] < 0;
            }
            float[] initial = margins(model, scope, best, labels, allOf(n), shape);
            for (int i = 0; i < n; i++) {
                margin[i] = initial[i];
            }
            ActiveSet active = new ActiveSet(wrong);
            active.update(negative(margin, active.index()));
            float[] candidate = new float[n * d];
            for (int query = 1; query < queries && !active.isEmpty(); query++) {
                int[] idx = active.index();
                int side = side(query, c, h, w);
                for (int a = 0; a < idx.length; a++) {
                    if (norm == Norm.LINF) {
                        proposeWindow(random[idx[a]], clean, best, candidate, a, idx[a], c, h, w, side, eps);
                    } else {
                        SquareL2.propose(random[idx[a]], clean, best, candidate, a, idx[a], c, h, w, side, eps);
                    }
                }
                float[] tried = margins(model, scope, candidate, labels, idx, shape);
                for (int a = 0; a < idx.length; a++) {
                    int i = idx[a];
                    if (tried[a] < margin[i]) {
                        margin[i] = tried[a];
                        System.arraycopy(candidate, a * d, best, i * d, d);
                    }
                }
                active.update(negative(tried, idx.length));
            }
            return active.broken();
        }
    }

    /**
     * One random stream per example, from the seed and the example's pixels: an example's search is then the same
     * whichever other examples share its batch, so attacking only the examples other attacks left robust
     * ({@code Survivors}) finds what attacking them all would have found there.
     */
    static SplittableRandom[] streams(long seed, float[] clean, int n, int d) {
        SplittableRandom[] streams = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            long h = seed;
            for (int k = i * d; k < (i + 1) * d; k++) {
                h = 31 * h + Float.floatToIntBits(clean[k]);
            }
            streams[i] = new SplittableRandom(h);
        }
        return streams;
    }

    /** ℓ∞ start: every column of every channel shifted by ±ε. */
    private static void stripes(SplittableRandom[] random, float[] clean, float[] best, int n, int c, int h, int w,
                                float eps) {
        int d = c * h * w;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int col = 0; col < w; col++) {
                    float delta = random[i].nextBoolean() ? eps : -eps;
                    for (int row = 0; row < h; row++) {
                        int k = i * d + (ch * h + row) * w + col;
                        best[k] = clamp(clean[k] + delta);
                    }
                }
            }
        }
    }

    /** Copies example i's best image into slot a of {@code candidate} with one window moved to a new vertex. */
    private static void proposeWindow(SplittableRandom random, float[] clean, float[] best, float[] candidate, int a,
                                      int i, int c, int h, int w, int side, float eps) {
        int d = c * h * w;
        System.arraycopy(best, i * d, candidate, a * d, d);
        int top = random.nextInt(h - side + 1);
        int left = random.nextInt(w - side + 1);
        // Re-draw while the window would not change (the paper's loop); a few tries are enough.
        for (int attempt = 0; attempt < 8; attempt++) {
            boolean changed = false;
            for (int ch = 0; ch < c; ch++) {
                float delta = random.nextBoolean() ? eps : -eps;
                for (int row = top; row < top + side; row++) {
                    for (int col = left; col < left + side; col++) {
                        int k = (ch * h + row) * w + col;
                        float value = clamp(clean[i * d + k] + delta);
                        changed |= Math.abs(value - best[i * d + k]) > 1e-7f;
                        candidate[a * d + k] = value;
                    }
                }
            }
            if (changed) {
                return;
            }
        }
    }

    /**
     * The fraction p of the image a window covers at this query: p_init halved after iterations 10, 50, 200, 500,
     * 1000, 2000, 4000, 6000 and 8000 of a 10,000-query schedule, the iteration first rescaled to that schedule
     * (⌊query / queries · 10000⌋) when the budget is another.
     */
    double fraction(int query) {
        int it = (int) ((long) query * 10_000 / queries);
        double fraction = p;
        for (int boundary : HALVINGS) {
            if (it > boundary) {
                fraction /= 2;
            }
        }
        return fraction;
    }

    /**
     * The window side for this query: round(√(p·h·w)), at most h − 1, and at least 1 in ℓ∞; in ℓ2 at least 3 and
     * odd, so that the window splits into two halves of opposite sign around a centre.
     */
    int side(int query, int c, int h, int w) {
        int side = (int) Math.round(Math.sqrt(fraction(query) * h * w));
        if (norm == Norm.LINF) {
            return Math.max(1, Math.min(side, h - 1));
        }
        side = Math.max(3, side);
        side += side % 2 == 0 ? 1 : 0;
        return Math.min(side, h % 2 == 0 ? h - 1 : h - 2);
    }

    /** Margins z_y − max_{j≠y} z_j of the listed examples, whose images sit in the first rows of {@code pixels}. */
    private static float[] margins(Classifier model, NDManager scope, float[] pixels, int[] labels, int[] idx,
                                   Shape shape) {
        int d = (int) (shape.size() / shape.get(0));
        try (NDManager query = scope.newSubManager()) {
            NDArray batch = query.create(java.nio.FloatBuffer.wrap(pixels, 0, idx.length * d),
                    new Shape(idx.length, shape.get(1), shape.get(2), shape.get(3)));
            // The margin in Java from the logits: one call back from libtorch per query instead of six.
            float[] z = model.logits(batch).toFloatArray();
            int classes = z.length / idx.length;
            float[] margin = new float[idx.length];
            for (int a = 0; a < idx.length; a++) {
                int y = labels[idx[a]];
                float other = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) {
                    if (k != y) {
                        other = Math.max(other, z[a * classes + k]);
                    }
                }
                margin[a] = z[a * classes + y] - other;
            }
            return margin;
        }
    }

    private static boolean[] negative(float[] margins, int n) {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = margins[i] < 0;
        }
        return out;
    }

    private static boolean[] negative(float[] margin, int[] idx) {
        boolean[] out = new boolean[idx.length];
        for (int a = 0; a < idx.length; a++) {
            out[a] = margin[idx[a]] < 0;
        }
        return out;
    }

    private static int[] allOf(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    static float clamp(float v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
