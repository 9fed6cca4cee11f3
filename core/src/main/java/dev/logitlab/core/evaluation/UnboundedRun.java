package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.ActiveSet;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The unconstrained run of the masking checks, PGD on the margin at ε = {@value ShardPlan#UNBOUNDED_EPS} for
 * {@value #STEPS} steps of ε/8 from a random start, with the points it found. Per example it keeps the first iterate
 * the model misclassifies (else the last one); that point, projected into each of the plan's budgets, is one more
 * candidate break there, checked by a forward pass ({@link VerifiedBreaks}). The unconstrained outcome is the plain
 * PGD run's: each example's trajectory is its own, so running every row to the end changes none of them.
 */
final class UnboundedRun {

    static final int STEPS = 20;

    /** The unconstrained outcome (broken at some iterate) and, per budget in plan order, broken once clipped. */
    record Result(boolean[] broken, List<boolean[]> clipped) {
    }

    private UnboundedRun() {
    }

    /** What it costs per example in forward-pass equivalents: the run, as PGD-20 counts it, and a pass per budget. */
    static double cost(int budgets) {
        return 3.0 * STEPS + budgets;
    }

    static Result run(Classifier model, NDArray images, int[] labels, List<Budget> budgets, long seed) {
        float eps = (float) ShardPlan.UNBOUNDED_EPS;
        int n = labels.length;
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray clean = images.duplicate();
            clean.attach(scope);
            NDArray cleanLogits = model.logits(clean);
            boolean[] cleanWrong = Losses.misclassified(cleanLogits, labels);
            boolean[] broken = cleanWrong.clone();
            // Per example the point it is judged by, gathered in pieces: a misclassified image is its own point.
            List<NDArray> pieces = new ArrayList<>();
            List<int[]> owners = new ArrayList<>();
            int[] wrong = IntStream.range(0, n).filter(i -> cleanWrong[i]).toArray();
            int[] active = IntStream.range(0, n).filter(i -> !cleanWrong[i]).toArray();
            add(pieces, owners, clean, wrong, wrong);
            int[] y = ActiveSet.rows(labels, active);
            NDArray origin = active.length == 0 ? null : ActiveSet.rows(clean, active);
            NDArray oneHot = active.length == 0 ? null : Losses.oneHot(y, cleanLogits);
            // The random start of PGD's single restart, drawn for the active rows as PGD draws it.
            NDArray x = active.length == 0 ? null
                    : origin.add(Norm.LINF.randomInBall(scope, origin.getShape()).mul(eps)).clip(0, 1);
            for (int step = 0; step <= STEPS && active.length > 0; step++) {
                NDArray[] logits = new NDArray[1];
                NDArray hot = oneHot;
                NDArray gradient = step == STEPS ? null : model.gradient(x, z -> {
                    logits[0] = z;
                    return Losses.margin(z, hot).sum();
                });
                boolean[] now = Losses.misclassified(gradient == null ? model.logits(x) : logits[0], y);
                int[] hit = IntStream.range(0, now.length).filter(k -> now[k]).toArray();
                int[] keep = IntStream.range(0, now.length).filter(k -> !now[k]).toArray();
                // A broken example's point is its first misclassified iterate; it leaves the batch, as in PGD.
                add(pieces, owners, x, hit, ActiveSet.rows(active, hit));
                for (int k : hit) {
                    broken[active[k]] = true;
                }
                if (gradient != null && keep.length > 0) {
                    x = Norm.LINF.project(x.add(gradient.sign().mul(eps / 8)), origin, eps);
                }
                if (hit.length > 0 && keep.length > 0) {
                    x = ActiveSet.rows(x, keep);
                    origin = ActiveSet.rows(origin, keep);
                    oneHot = ActiveSet.rows(oneHot, keep);
                    y = ActiveSet.rows(y, keep);
                }
                active = ActiveSet.rows(active, keep);
            }
            // Never broken: the last iterate is the point.
            add(pieces, owners, x, IntStream.range(0, active.length).toArray(), active);
            int[] owner = owners.stream().flatMapToInt(java.util.Arrays::stream).toArray();
            long[] where = new long[n];
            for (int k = 0; k < owner.length; k++) {
                where[owner[k]] = k;
            }
            NDArray found = NDArrays.concat(new NDList(pieces)).get(scope.create(where));
            List<boolean[]> clipped = new ArrayList<>();
            for (Budget b : budgets) {
                boolean[] out = Losses.misclassified(model.logits(b.norm().project(found, clean, (float) b.eps())),
                        labels);
                for (int i = 0; i < n; i++) {
                    out[i] |= cleanWrong[i];
                }
                clipped.add(out);
            }
            return new Result(broken, clipped);
        }
    }

    /** The given rows of {@code batch} as one piece of the points, with the examples they belong to. */
    private static void add(List<NDArray> pieces, List<int[]> owners, NDArray batch, int[] rows, int[] examples) {
        if (rows.length == 0) {
            return;
        }
        pieces.add(ActiveSet.rows(batch, rows));
        owners.add(examples);
    }
}
