package dev.logitlab.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;

/**
 * Indicator 2 of Pintor et al. 2022, incomplete optimization: on examples the evaluation left robust, run
 * PGD on the margin loss for {@value #STEPS} steps and watch its best loss. An example whose best loss still
 * improved over the last quarter of the steps by more than {@value #STILL_FALLING} of its total improvement was
 * stopped too early. The fix is applied at once: those examples are attacked again with {@value #LONGER} steps,
 * and the indicator fires when that breaks more than the slack of them.
 */
public final class IncompleteOptimization {

    static final int STEPS = 20;
    static final int LONGER = 100;
    static final double STILL_FALLING = 0.05;

    /**
     * How many robust examples were probed, how many were still improving, how many the longer run broke, and which
     * ({@code broken}: positions among the probed examples, ascending), so that those breaks count.
     */
    public record Result(int probed, int stillImproving, int brokenByLongerRun, int[] broken) {
    }

    private IncompleteOptimization() {
    }

    /**
     * What the probe costs per example at most, in forward-pass equivalents: both runs, a gradient a step, and the
     * longer run's clean and final passes.
     */
    public static double cost() {
        return 3.0 * (STEPS + 1 + LONGER) + 2;
    }

    public static Result probe(Classifier model, NDArray images, int[] labels, double eps, long seed) {
        boolean[] improving = stillImproving(model, images, labels, (float) eps, seed);
        int[] which = java.util.stream.IntStream.range(0, labels.length).filter(i -> improving[i]).toArray();
        int[] broken = new int[0];
        if (which.length > 0) {
            try (NDManager scope = model.manager().newSubManager()) {
                long[] idx = java.util.Arrays.stream(which).asLongStream().toArray();
                NDArray subset = images.get(scope.create(idx));
                int[] y = java.util.Arrays.stream(which).map(i -> labels[i]).toArray();
                boolean[] now = new Pgd(Norm.LINF, Pgd.Loss.MARGIN, LONGER, null, 1).run(model, subset, y, eps, seed + 1);
                broken = java.util.stream.IntStream.range(0, which.length).filter(k -> now[k]).map(k -> which[k]).toArray();
            }
        }
        return new Result(labels.length, which.length, broken.length, broken);
    }

    /** Per example: did PGD-margin's best loss still fall noticeably over the last quarter of its steps? */
    static boolean[] stillImproving(Classifier model, NDArray images, int[] labels, float eps, long seed) {
        int n = labels.length;
        float[][] best = new float[STEPS + 1][];
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray clean = images.duplicate();
            clean.attach(scope);
            NDArray x = clean.add(scope.randomUniform(-eps, eps, clean.getShape())).clip(0, 1);
            for (int step = 0; step <= STEPS; step++) {
                try (NDManager local = scope.newSubManager()) {
                    NDArray[] loss = new NDArray[1];
                    NDArray gradient = model.gradient(x, z -> {
                        loss[0] = Losses.margin(z, Losses.oneHot(labels, z));
                        return loss[0].sum();
                    });
                    float[] now = loss[0].toFloatArray();
                    best[step] = step == 0 ? now : max(best[step - 1], now);
                    NDArray next = Norm.LINF.project(x.add(gradient.sign().mul(eps / 8)), clean, eps);
                    next.attach(scope);
                    x = next;
                }
            }
        }
        boolean[] improving = new boolean[n];
        int lastQuarter = STEPS - STEPS / 4;
        for (int i = 0; i < n; i++) {
            double total = best[STEPS][i] - best[0][i];
            double late = best[STEPS][i] - best[lastQuarter][i];
            improving[i] = total > 0 && late > STILL_FALLING * total;
        }
        return improving;
    }

    private static float[] max(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.max(a[i], b[i]);
        }
        return out;
    }
}
