package dev.logitlab.core.evaluation;

import dev.logitlab.core.verdict.ClopperPearson;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every break an evaluation finds counts. An input x' with ‖x' − x‖ ≤ ε that a forward pass misclassifies proves x
 * non-robust at ε and at every larger budget of that norm, whichever procedure found it: an attack of the suite, the
 * ε sweep, the unconstrained run's points projected into the budget, the escalated Square, the incomplete-optimization indicator's longer reruns, a minimal-ε search, and for a
 * randomized model the single draws of {@link SingleDraws}. Each procedure checks its points with a forward pass of
 * the model as attacked (through EOT for a random one; single draws for the last), which is the verification. The worst case per example is then non-increasing in ε, as every peer's tables assume.
 * <p>
 * The worst case says how many breaks each procedure found first ({@link WorstCase#foundBy}), in the order of
 * {@link #PROCEDURES}: what the suite found, then what each further procedure added.
 */
public final class VerifiedBreaks {

    public static final String ATTACKS = "attacks";
    public static final String SMALLER_EPS = "a smaller ε";
    public static final String SWEEP = "the ε sweep";
    public static final String UNBOUNDED_CLIPPED = "the unconstrained run, clipped";
    public static final String ESCALATION = "escalation";
    public static final String LONGER_RUNS = "longer runs";
    public static final String SEARCHES = "minimal-ε searches";
    public static final String SINGLE_DRAWS = "single draws";
    public static final List<String> PROCEDURES = List.of(ATTACKS, SMALLER_EPS, SWEEP, UNBOUNDED_CLIPPED,
            ESCALATION, LONGER_RUNS, SEARCHES, SINGLE_DRAWS);

    /** No break of this example: what {@link Found#eps} holds for it. */
    public static final float NONE = -1;

    /**
     * What one procedure found in one norm: per example in evaluation order, the budget within which it found a
     * misclassified point ({@link #NONE}: none).
     */
    public record Found(String procedure, String norm, float[] eps) {
    }

    private VerifiedBreaks() {
    }

    /**
     * The worst case after the breaks found: an example robust at a budget becomes broken there when some procedure
     * found a break of the budget's norm within it ({@code found eps ≤ budget eps}); misclassified examples stay so.
     */
    public static List<WorstCase> enter(List<WorstCase> worstCase, List<Found> found) {
        List<WorstCase> after = new ArrayList<>();
        for (WorstCase w : worstCase) {
            if (w.robust() == null) {
                after.add(w);
                continue;
            }
            char[] robust = w.robust().toCharArray();
            Map<String, Integer> by = new LinkedHashMap<>(w.foundBy() == null ? Map.of() : w.foundBy());
            for (Found f : found) {
                if (!f.norm().equals(w.norm())) {
                    continue;
                }
                if (f.eps().length != robust.length) {
                    throw new IllegalArgumentException(f.procedure() + " found breaks of " + f.eps().length
                            + " examples, the worst case has " + robust.length);
                }
                int added = 0;
                for (int i = 0; i < robust.length; i++) {
                    if (robust[i] == '1' && within(f.eps()[i], w.eps())) {
                        robust[i] = '0';
                        added++;
                    }
                }
                if (added > 0) {
                    by.merge(f.procedure(), added, Integer::sum);
                }
            }
            String outcome = new String(robust);
            after.add(new WorstCase(w.norm(), w.eps(), accuracy(outcome), outcome, ClopperPearson.of(outcome).toList(),
                    ordered(by), w.singleDraw()));
        }
        return after;
    }

    /** Whether a break found within {@code found} lies within the budget {@code eps}. */
    static boolean within(float found, double eps) {
        // A float may round above the double budget it was found at: compare at float precision.
        return found >= 0 && found <= (float) eps;
    }

    /** A found-by count in the order of {@link #PROCEDURES}, empty counts left out. */
    static Map<String, Integer> ordered(Map<String, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String p : PROCEDURES) {
            if (counts.getOrDefault(p, 0) > 0) {
                out.put(p, counts.get(p));
            }
        }
        return out;
    }

    /** What an outcome string per example ('0' broken) says was found at one budget, as a {@link Found}. */
    static Found at(String procedure, String norm, double eps, String outcomes) {
        float[] found = new float[outcomes.length()];
        for (int i = 0; i < found.length; i++) {
            found[i] = outcomes.charAt(i) == '0' ? (float) eps : NONE;
        }
        return new Found(procedure, norm, found);
    }

    static double accuracy(String robust) {
        return robust.chars().filter(c -> c == '1').count() / (double) robust.length();
    }
}
