package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.verdict.Interval;
import dev.logitlab.core.verdict.PairedDifference;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A randomized model judged as deployed (Athalye, Carlini, Wagner 2018; AutoAttack's {@code rand} version and the
 * single-draw re-evaluation discussed in fra31/auto-attack pull requests 104–105). The attacks take their gradients
 * and judge success through the mean logits of many draws (EOT): that mean is another classifier than the deployed
 * model, which answers every query with one draw. So on each budget's examples still robust, a last PGD run through
 * EOT (margin loss, {@value #STEPS} steps, a random start) leaves a point x' per example, and both x' and the clean
 * x, each within the budget, are classified on R independent single draws. An example stays robust only if every
 * one of the 2R answers is right (the strict figure). The share of draws right at x' is that example's expected
 * single-draw accuracy: x' is chosen through EOT, not by the draws that score it, so the share is unbiased for the
 * point (picking the worse of x and x' by those same draws would bias it low).
 * <p>
 * R defaults to {@value #DRAWS}: an example the deployed model gets wrong one time in four is caught with probability
 * 1 − 0.75¹⁰ = 94%, one in ten 65%. The check's cost is dominated by its PGD run (20 EOT steps per survivor and
 * budget), not by the 2R single passes. A larger R judges more strictly: the strict figure falls as R grows, the
 * expected one does not move.
 */
public final class SingleDraws {

    public static final int DRAWS = 10;
    public static final int MAX_DRAWS = 100;
    static final int STEPS = 20;

    /**
     * One budget's check: per example the draws right at x' ({@code right}) and at the clean x ({@code clean});
     * {@code −1} in both: not checked, the attacks had already broken it or it was misclassified.
     */
    public record Outcome(String norm, double eps, int draws, int[] right, int[] clean) {
    }

    /** The expected single-draw accuracy of one budget, over all examples, with its 95% interval. */
    public record Expected(double accuracy, Interval interval) {
    }

    private SingleDraws() {
    }

    /** What the check costs at most, in forward-pass equivalents, before the EOT draws of its PGD steps. */
    public static double cost(EvaluationPlan plan, int examples, int eotDraws) {
        return (double) examples * plan.budgets().size() * (3.0 * (STEPS + 1) * eotDraws + 2.0 * plan.singleDraws());
    }

    /**
     * Runs the check on each budget's survivors in {@code attacks}' worst case: {@code eot} gives the gradients,
     * {@code deployed} the single draws.
     */
    static List<Outcome> run(Classifier eot, Classifier deployed, Dataset data, AttackResults attacks, int draws,
                             long seed) {
        List<Outcome> outcomes = new ArrayList<>();
        for (WorstCase w : attacks.worstCase()) {
            int[] right = new int[data.size()];
            int[] clean = new int[data.size()];
            Arrays.fill(right, -1);
            Arrays.fill(clean, -1);
            int[] left = IntStream.range(0, right.length).filter(i -> w.robust().charAt(i) == '1').toArray();
            for (int from = 0; from < left.length; from += AnalysisPhase.CHUNK) {
                int[] chunk = Arrays.copyOfRange(left, from, Math.min(left.length, from + AnalysisPhase.CHUNK));
                Dataset part = data.select(chunk);
                try (NDManager scope = eot.manager().newSubManager()) {
                    NDArray x = part.images(scope, 0, chunk.length);
                    Norm norm = Norm.parse(w.norm());
                    NDArray adversarial = pgd(eot, norm, x, part.labels(), (float) w.eps(), seed);
                    int[] atClean = right(deployed, x, part.labels(), draws);
                    int[] atAdversarial = right(deployed, adversarial, part.labels(), draws);
                    for (int k = 0; k < chunk.length; k++) {
                        right[chunk[k]] = atAdversarial[k];
                        clean[chunk[k]] = atClean[k];
                    }
                }
            }
            outcomes.add(new Outcome(w.norm(), w.eps(), draws, right, clean));
        }
        return outcomes;
    }

    /** PGD on the margin through EOT, every example to the last step: the point it ends at, within the ball. */
    static NDArray pgd(Classifier eot, Norm norm, NDArray clean, int[] labels, float eps, long seed) {
        Torch.seed(seed);
        NDManager scope = clean.getManager();
        NDArray x = clean.add(norm.randomInBall(scope, clean.getShape()).mul(eps)).clip(0, 1);
        for (int step = 0; step < STEPS; step++) {
            NDArray gradient = eot.gradient(x, z -> Losses.margin(z, Losses.oneHot(labels, z)).sum());
            x = norm.project(x.add(norm.steepest(gradient).mul(eps / 4)), clean, eps);
        }
        return x;
    }

    /** Per example, how many of {@code draws} single forward passes classify it right. */
    static int[] right(Classifier deployed, NDArray images, int[] labels, int draws) {
        int[] right = new int[labels.length];
        for (int d = 0; d < draws; d++) {
            boolean[] wrong = Losses.misclassified(deployed.logits(images), labels);
            for (int i = 0; i < right.length; i++) {
                right[i] += wrong[i] ? 0 : 1;
            }
        }
        return right;
    }

    /** The check's breaks as {@link VerifiedBreaks}: an example some draw got wrong is broken at the budget. */
    static VerifiedBreaks.Found found(Outcome o) {
        float[] eps = new float[o.right().length];
        for (int i = 0; i < eps.length; i++) {
            boolean checked = o.right()[i] >= 0 && o.clean()[i] >= 0;
            eps[i] = checked && Math.min(o.right()[i], o.clean()[i]) < o.draws() ? (float) o.eps() : VerifiedBreaks.NONE;
        }
        return new VerifiedBreaks.Found(VerifiedBreaks.SINGLE_DRAWS, o.norm(), eps);
    }

    /**
     * The expected single-draw accuracy at a budget: the mean over all n examples of the share of draws right at x',
     * counting 0 for an example misclassified or broken by any procedure that judged through EOT ({@code before}: the
     * worst case before the single draws entered it), whose point was not kept. It is measured at this budget's own
     * points: a smaller budget's x' also lies in this ball, so per example it is not bound to fall with ε. Its interval is Wilson's with Kish's effective
     * sample size n·p(1 − p)/s², s² the variance of the per-example shares, kept within [n, nR]: n when each example is
     * all right or all wrong, nR when the draws are independent of the example.
     */
    static Expected expected(Outcome o, String before) {
        int n = o.right().length;
        double[] share = new double[n];
        for (int i = 0; i < n; i++) {
            share[i] = before.charAt(i) == '1' && o.right()[i] >= 0 ? o.right()[i] / (double) o.draws() : 0;
        }
        double mean = Arrays.stream(share).average().orElse(0);
        double variance = n < 2 ? 0 : Arrays.stream(share).map(s -> (s - mean) * (s - mean)).sum() / (n - 1);
        double pq = mean * (1 - mean);
        double effective = variance == 0 ? (pq == 0 ? n : (double) n * o.draws())
                : Math.max(n, Math.min((double) n * o.draws(), n * pq / variance));
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(0.975);
        return new Expected(mean, PairedDifference.wilson(mean, effective, z));
    }

    /**
     * The worst case after the check, budget by budget in the same order: what a draw got wrong is broken there and at
     * every larger budget of its norm, and each budget records its draws and expected single-draw accuracy.
     */
    static List<WorstCase> enter(List<WorstCase> worst, List<Outcome> outcomes) {
        if (outcomes.size() != worst.size()) {
            throw new IllegalArgumentException("single draws at " + outcomes.size() + " budgets, the worst case has "
                    + worst.size());
        }
        List<WorstCase> after = VerifiedBreaks.enter(worst, outcomes.stream().map(SingleDraws::found).toList());
        List<WorstCase> recorded = new ArrayList<>();
        for (int b = 0; b < after.size(); b++) {
            Expected e = expected(outcomes.get(b), worst.get(b).robust());
            recorded.add(after.get(b).withSingleDraw(new EvaluationReport.SingleDraw(outcomes.get(b).draws(),
                    e.accuracy(), e.interval().toList())));
        }
        return recorded;
    }
}
