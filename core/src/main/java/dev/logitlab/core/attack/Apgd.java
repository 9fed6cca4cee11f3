package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Auto-PGD (Croce &amp; Hein 2020, AutoAttack): step 2ε halved at checkpoints when the loss stops rising
 * (fewer than ρ = 0.75 of the steps since the last checkpoint improved it, or the best loss did not move),
 * restarting from the best point; momentum α = 0.75. Steps follow sign(∇) in ℓ∞ and ∇/‖∇‖₂ in ℓ2 (AutoAttack's
 * L2 version). Losses: cross-entropy ({@code apgd-ce}), DLR
 * ({@code apgd-dlr}), or targeted DLR towards each of the top-{@code targets} runner-up classes ({@code apgd-t}), all
 * targets at once.
 */
public record Apgd(Norm norm, Variant variant, int steps, int restarts, int targets) implements Attack {

    /** Which loss APGD ascends. */
    public enum Variant { CE, DLR, TARGETED }

    private static final double RHO = 0.75;
    private static final float MOMENTUM = 0.75f;
    private static final int CLEAN = 0, ADV = 1, OLD = 2, BEST = 3, GRAD = 4, GRAD_BEST = 5;

    public Apgd {
        if (steps < 1 || restarts < 1 || (variant == Variant.TARGETED && targets < 1)) {
            throw new IllegalArgumentException("apgd needs steps ≥ 1, restarts ≥ 1 (and targets ≥ 1 for apgd-t)");
        }
    }

    @Override
    public String name() {
        return switch (variant) {
            case CE -> "apgd-ce";
            case DLR -> "apgd-dlr";
            case TARGETED -> "apgd-t";
        };
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("loss", variant == Variant.CE ? "ce" : variant == Variant.DLR ? "dlr" : "dlr-targeted");
        params.put("steps", steps);
        params.put("restarts", restarts);
        if (variant == Variant.TARGETED) {
            params.put("targets", targets);
        }
        params.put("initialStep", 2 * epsilon);
        params.put("rho", RHO);
        params.put("momentum", MOMENTUM);
        return params;
    }

    @Override
    public double cost() {
        return 3.0 * steps * restarts * Math.max(1, targets);
    }

    @Override
    public boolean targeted() {
        return variant == Variant.TARGETED;
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray x = AttackArrays.copy(images, scope);
            NDArray cleanLogits = model.logits(x);
            // Classes by clean logit, highest first: position 0 is the prediction, 1.. the runner-ups.
            long[] ranking = cleanLogits.argSort(1, false).toLongArray();
            int classes = (int) cleanLogits.getShape().get(1);
            int runs = variant == Variant.TARGETED ? Math.min(targets, classes - 1) : 1;
            // The target classes run side by side, one copy of the batch each (AutoAttack runs them in turn): the
            // copies of an example stop together once one breaks it, and the survivors of a cascade, few per
            // shard, still fill a batch.
            int n = labels.length;
            int[] label = new int[n * runs];
            int[] target = new int[n * runs];
            for (int t = 1; t <= runs; t++) {
                for (int i = 0; i < n; i++) {
                    label[(t - 1) * n + i] = labels[i];
                    target[(t - 1) * n + i] = variant == Variant.TARGETED ? (int) ranking[i * classes + t] : 0;
                }
            }
            NDArray copies = runs == 1 ? x : x.tile(new long[] {runs, 1, 1, 1});
            ActiveSet active = ActiveSet.copies(Losses.misclassified(cleanLogits, labels), runs);
            for (int r = 0; r < restarts; r++) {
                active.restart(); // stalled rows of the last run start again elsewhere
                if (active.isEmpty()) {
                    break;
                }
                once(model, copies, label, target, (float) epsilon, active);
            }
            return active.broken();
        }
    }

    /** One APGD run over the active examples; breaks are recorded in {@code active}. */
    private void once(Classifier model, NDArray x, int[] labels, int[] targets, float eps, ActiveSet active) {
        int[] positions = active.index();
        int[] y = ActiveSet.rows(labels, positions);
        int[] target = ActiveSet.rows(targets, positions);
        NDManager manager = x.getManager();
        NDArray[] state = new NDArray[6];
        state[CLEAN] = ActiveSet.rows(x, positions);
        // Start on the sphere of radius ε: ℓ∞ scales uniform noise to its largest pixel, ℓ2 to its length.
        NDArray t = manager.randomUniform(-1, 1, state[CLEAN].getShape());
        state[ADV] = state[CLEAN].add(t.div(norm.of(t)).mul(eps)).clip(0, 1);
        state[OLD] = state[ADV];
        state[BEST] = state[ADV];
        float[][] loss = new float[1][];
        boolean[] wrong = gradient(model, state, y, target, loss);
        state[GRAD_BEST] = state[GRAD];

        int n = y.length;
        float[] step = filled(n, 2 * eps);
        float[] lossBest = loss[0].clone();
        float[] lossBestAtCheck = lossBest.clone();
        boolean[] reducedAtCheck = filled(n);
        float[][] history = new float[n][steps + 1];
        for (int i = 0; i < n; i++) {
            history[i][0] = loss[0][i];
        }
        // Floors, as the reference's int(): 0.22·steps between the first checkpoints, shrinking by 0.03·steps to 0.06·steps.
        int checkpointLength = Math.max((int) Math.floor(0.22 * steps), 1);
        int minLength = Math.max((int) Math.floor(0.06 * steps), 1);
        int decrease = Math.max((int) Math.floor(0.03 * steps), 1);
        int sinceCheck = 0;

        // A start whose gradient is exactly zero is a fixed point: the first step (no momentum yet) stays put, and so
        // does every step after it, step-size halving and returns to the best point included (see Pgd).
        for (int it = 0; it < steps; it++) {
            int[] keep = active.update(wrong, it == 0 ? Pgd.fixedPoints(model, state[GRAD]) : null);
            if (keep != null) {
                NDArray[] before = state;
                state = keepRows(state, keep);
                AttackArrays.release(before, state);
                y = ActiveSet.rows(y, keep);
                target = ActiveSet.rows(target, keep);
                step = rows(step, keep);
                lossBest = rows(lossBest, keep);
                lossBestAtCheck = rows(lossBestAtCheck, keep);
                reducedAtCheck = rows(reducedAtCheck, keep);
                history = rows(history, keep);
                n = y.length;
            }
            if (n == 0) {
                return;
            }
            try (NDScope stepScope = new NDScope()) {
                NDArray[] next = state.clone();
                NDArray alpha = manager.create(step, new Shape(n, 1, 1, 1));
                NDArray eBall = manager.full(new Shape(n, 1, 1, 1), eps);
                NDArray adv = state[ADV];
                NDArray z = norm.project(adv.add(norm.steepest(state[GRAD]).mul(alpha)), state[CLEAN], eBall);
                float a = it == 0 ? 1f : MOMENTUM;
                NDArray moved = adv.add(z.sub(adv).mul(a)).add(adv.sub(state[OLD]).mul(1 - a));
                next[OLD] = adv;
                next[ADV] = norm.project(moved, state[CLEAN], eBall);
                wrong = gradient(model, next, y, target, loss);
                boolean[] improved = new boolean[n];
                for (int i = 0; i < n; i++) {
                    history[i][it + 1] = loss[0][i];
                    improved[i] = loss[0][i] > lossBest[i];
                    if (improved[i]) {
                        lossBest[i] = loss[0][i];
                    }
                }
                NDArray improvedMask = mask(manager, improved, state[CLEAN].getShape());
                next[BEST] = NDArrays.where(improvedMask, next[ADV], state[BEST]);
                next[GRAD_BEST] = NDArrays.where(improvedMask, next[GRAD], state[GRAD_BEST]);
                if (++sinceCheck == checkpointLength) {
                    boolean[] halve = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        int increases = 0;
                        for (int c = 0; c < checkpointLength; c++) {
                            increases += history[i][it + 1 - c] > history[i][it - c] ? 1 : 0;
                        }
                        boolean oscillating = increases <= checkpointLength * RHO;
                        boolean stalled = !reducedAtCheck[i] && lossBestAtCheck[i] >= lossBest[i];
                        halve[i] = oscillating || stalled;
                        if (halve[i]) {
                            step[i] /= 2;
                        }
                    }
                    reducedAtCheck = halve;
                    lossBestAtCheck = lossBest.clone();
                    NDArray halveMask = mask(manager, halve, state[CLEAN].getShape());
                    next[ADV] = NDArrays.where(halveMask, next[BEST], next[ADV]);
                    next[GRAD] = NDArrays.where(halveMask, next[GRAD_BEST], next[GRAD]);
                    checkpointLength = Math.max(checkpointLength - decrease, minLength);
                    sinceCheck = 0;
                }
                NDScope.unregister(next);
                AttackArrays.release(state, next);
                state = next;
            }
        }
        active.update(wrong);
        AttackArrays.release(state);
    }

    /** Sets state[GRAD] to ∇ of the loss at state[ADV]; returns which examples are misclassified there. */
    private boolean[] gradient(Classifier model, NDArray[] state, int[] y, int[] target, float[][] lossOut) {
        NDArray[] logits = new NDArray[1];
        NDArray[] perExample = new NDArray[1];
        state[GRAD] = model.gradient(state[ADV], z -> {
            logits[0] = z;
            NDArray oneHot = AttackArrays.oneHot(y, z);
            perExample[0] = switch (variant) {
                case CE -> Losses.crossEntropy(z, oneHot);
                case DLR -> Losses.dlr(z, oneHot);
                case TARGETED -> Losses.targetedDlr(z, oneHot, AttackArrays.oneHot(target, z));
            };
            return perExample[0].sum();
        });
        lossOut[0] = perExample[0].toFloatArray();
        return Losses.misclassified(logits[0], y);
    }

    private static NDArray[] keepRows(NDArray[] state, int[] keep) {
        NDArray[] kept = new NDArray[state.length];
        for (int i = 0; i < state.length; i++) {
            kept[i] = ActiveSet.rows(state[i], keep);
        }
        return kept;
    }

    /** A per-example condition spread over the image shape (libtorch's where does not broadcast here). */
    private static NDArray mask(NDManager manager, boolean[] values, Shape shape) {
        return manager.create(values, new Shape(values.length, 1, 1, 1)).broadcast(shape);
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    private static boolean[] filled(int n) {
        boolean[] a = new boolean[n];
        Arrays.fill(a, true);
        return a;
    }

    private static float[] rows(float[] values, int[] keep) {
        float[] out = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            out[i] = values[keep[i]];
        }
        return out;
    }

    private static boolean[] rows(boolean[] values, int[] keep) {
        boolean[] out = new boolean[keep.length];
        for (int i = 0; i < keep.length; i++) {
            out[i] = values[keep[i]];
        }
        return out;
    }

    private static float[][] rows(float[][] values, int[] keep) {
        float[][] out = new float[keep.length][];
        for (int i = 0; i < keep.length; i++) {
            out[i] = values[keep[i]];
        }
        return out;
    }
}
