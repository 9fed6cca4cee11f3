package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.analysis.MaskingEvidence;
import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.SquareAttack;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport.AttackRun;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The unavailable-gradients indicator's fix, applied rather than only named: when more correct examples than the
 * checks' slack have an exactly zero gradient, the gradient attacks were blind on them, so Square runs again with
 * {@value #FACTOR} times the queries (of the plan's Square; {@value #QUERIES} when it has none; never past the default
 * per-attack query limit) on the examples still robust in each budget's worst case. What it breaks leaves the worst
 * case, which can only fall; the report lists the run as its own row, saying why it ran and on how many examples.
 */
public final class Escalation {

    static final int FACTOR = 4;
    static final int QUERIES = 1000;
    static final String WHY = "unavailable-gradients";

    private Escalation() {
    }

    /** Whether the zero-gradient count calls for it: the unavailable-gradients check's own threshold. */
    static boolean needed(int zeroGradients, int examples) {
        return zeroGradients > MaskingEvidence.slack(examples);
    }

    /**
     * What the escalated Square found in one budget: the worst case's outcomes after it (only examples it left at
     * '1' may have become '0') and its seconds. The part of the escalation that runs the model.
     */
    public record Outcome(String robust, double seconds) {
    }

    /** Square with more queries on each budget's survivors, in the order of {@code attacks.worstCase()}. */
    static List<Outcome> run(Classifier model, Dataset data, AttackResults attacks, long seed) {
        int queries = queries(attacks);
        List<Outcome> outcomes = new ArrayList<>();
        for (WorstCase w : attacks.worstCase()) {
            int[] robust = IntStream.range(0, w.robust().length()).filter(i -> w.robust().charAt(i) == '1').toArray();
            long start = System.nanoTime();
            boolean[] broken = new boolean[robust.length];
            if (robust.length > 0) {
                Dataset survivors = data.select(robust);
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray x = survivors.images(scope, 0, survivors.size());
                    broken = new SquareAttack(Norm.parse(w.norm()), queries, SquareAttack.P_INIT)
                            .run(model, x, survivors.labels(), w.eps(), seed);
                }
            }
            char[] after = w.robust().toCharArray();
            for (int a = 0; a < robust.length; a++) {
                after[robust[a]] = broken[a] ? '0' : '1';
            }
            outcomes.add(new Outcome(new String(after), (System.nanoTime() - start) / 1e9));
        }
        return outcomes;
    }

    /**
     * {@code attacks} with the escalated Square run per budget and the worst case after it. An outcome can only
     * break what the worst case left robust ({@link VerifiedBreaks}): any other change in it is ignored.
     */
    static AttackResults apply(AttackResults attacks, List<Outcome> outcomes) {
        if (outcomes.size() != attacks.worstCase().size()) {
            throw new IllegalArgumentException("escalation outcomes for " + outcomes.size() + " budgets, the worst case has "
                    + attacks.worstCase().size());
        }
        int queries = queries(attacks);
        List<VerifiedBreaks.Found> found = new ArrayList<>();
        for (int b = 0; b < outcomes.size(); b++) {
            WorstCase w = attacks.worstCase().get(b);
            String robust = outcomes.get(b).robust();
            if (robust.length() == w.robust().length()) {
                found.add(VerifiedBreaks.at(VerifiedBreaks.ESCALATION, w.norm(), w.eps(), robust));
            }
        }
        // A break at one budget is a break at every larger one of its norm: the worst case never rises.
        List<WorstCase> worst = VerifiedBreaks.enter(attacks.worstCase(), found);
        List<AttackRun> runs = new ArrayList<>(attacks.attacks());
        for (int b = 0; b < outcomes.size(); b++) {
            WorstCase w = attacks.worstCase().get(b);
            WorstCase after = worst.get(b);
            int attacked = (int) w.robust().chars().filter(c -> c == '1').count();
            Map<String, Object> params = new LinkedHashMap<>(new SquareAttack(Norm.parse(w.norm()), queries,
                    SquareAttack.P_INIT).params(w.eps()));
            params.put("attacked", attacked);
            params.put("after", "the worst case: it attacked only the examples every attack left robust, the others "
                    + "count as broken, so its accuracy is the worst case after it");
            params.put("escalated", WHY + ": the gradient attacks saw exactly zero gradients, so Square ran again with "
                    + FACTOR + "x the queries");
            runs.add(new AttackRun("square", w.norm(), w.eps(), after.robustAccuracy(), outcomes.get(b).seconds(), params,
                    after.robust(), after.interval()));
        }
        return new AttackResults(attacks.model(), attacks.dataset(), attacks.examples(), attacks.seed(), attacks.clean(),
                runs, worst, attacks.sweep(), attacks.unbounded());
    }

    /** The plan's Square queries times {@value #FACTOR}, never past the default per-attack query limit. */
    private static int queries(AttackResults attacks) {
        return Math.min(CostLimits.DEFAULTS.queries(), attacks.attacks().stream()
                .filter(r -> r.name().equals("square"))
                .mapToInt(r -> ((Number) r.params().getOrDefault("queries", QUERIES / FACTOR)).intValue())
                .max().orElse(QUERIES / FACTOR) * FACTOR);
    }
}
