package dev.logitlab.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.model.Classifier;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The smallest ε at which an attack flips each example: a geometric grid of {@value #GRID} budgets, halving from the
 * largest, finds the smallest that still breaks it, then bisection narrows that bracket. NaN when even the largest
 * fails.
 */
public final class MinimalEpsilon {

    static final int GRID = 8;

    private MinimalEpsilon() {
    }

    /** The most probes a search makes per example: the grid's levels, then the bisections. */
    public static int probes(int bisections) {
        return GRID + bisections;
    }

    /**
     * FGSM's minimal ε along sign(∇ₓ margin), the direction Eq. 4 linearises: cross-entropy's gradient underflows
     * to exact zeros on confidently classified examples, which would leave them unbroken at every ε. The sign is
     * computed once, then every probe costs one forward pass.
     */
    public static float[] fgsm(Classifier model, NDArray images, int[] labels, double maxEps, int bisections) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(scope);
            NDArray direction = model.gradient(x, z -> Losses.margin(z, Losses.oneHot(labels, z)).sum()).sign();
            return search(labels.length, maxEps, bisections, (which, eps) -> {
                try (NDManager step = scope.newSubManager()) {
                    NDArray index = step.create(toLong(which));
                    NDArray column = step.create(eps, new Shape(eps.length, 1, 1, 1));
                    NDArray probe = x.get(index).add(direction.get(index).mul(column)).clip(0, 1);
                    return Losses.misclassified(model.logits(probe), pick(labels, which));
                }
            });
        }
    }

    /** PGD's minimal ε (cross-entropy, 20 steps of ε/8, a random start at every probe). */
    public static float[] pgd(Classifier model, NDArray images, int[] labels, double maxEps, int bisections, long seed) {
        Pgd pgd = Pgd.crossEntropy(20);
        try (NDManager scope = model.manager().newSubManager()) {
            return search(labels.length, maxEps, bisections, (which, eps) -> {
                try (NDManager step = scope.newSubManager()) {
                    NDArray subset = images.get(step.create(toLong(which)));
                    subset.attach(step);
                    return pgd.run(model, subset, pick(labels, which), eps, seed);
                }
            });
        }
    }

    /** Which of the listed examples an attack breaks, each at its own ε. */
    interface Probe {
        boolean[] broken(int[] which, float[] eps);
    }

    /**
     * Top down: every example starts at {@code maxEps} and halves while the attack still breaks it, so a probe that
     * cannot break (a full-length attack run) is spent once per example, not at every grid level below its minimal ε;
     * for a monotone attack the bracket is the bottom-up grid's.
     */
    static float[] search(int n, double maxEps, int bisections, Probe probe) {
        float[] low = new float[n];
        float[] high = new float[n];
        Arrays.fill(high, Float.NaN);
        int[] open = IntStream.range(0, n).toArray();
        float eps = (float) maxEps;
        for (int k = 0; k < GRID && open.length > 0; k++, eps /= 2) {
            float[] trial = new float[open.length];
            Arrays.fill(trial, eps);
            boolean[] broken = probe.broken(open, trial);
            int kept = 0;
            for (int a = 0; a < open.length; a++) {
                if (broken[a]) {
                    high[open[a]] = eps;
                    open[kept++] = open[a];
                } else {
                    low[open[a]] = eps;
                }
            }
            open = Arrays.copyOf(open, kept);
        }
        int[] bracketed = IntStream.range(0, n).filter(i -> !Float.isNaN(high[i])).toArray();
        for (int b = 0; b < bisections && bracketed.length > 0; b++) {
            float[] mid = new float[bracketed.length];
            for (int a = 0; a < bracketed.length; a++) {
                mid[a] = (low[bracketed[a]] + high[bracketed[a]]) / 2;
            }
            boolean[] broken = probe.broken(bracketed, mid);
            for (int a = 0; a < bracketed.length; a++) {
                if (broken[a]) {
                    high[bracketed[a]] = mid[a];
                } else {
                    low[bracketed[a]] = mid[a];
                }
            }
        }
        return high;
    }

    private static long[] toLong(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    private static int[] pick(int[] values, int[] which) {
        return Arrays.stream(which).map(i -> values[i]).toArray();
    }
}
