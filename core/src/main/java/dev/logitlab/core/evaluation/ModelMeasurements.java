package dev.logitlab.core.evaluation;

import dev.logitlab.core.analysis.Binarization;
import dev.logitlab.events.EvaluationReport;
import java.util.List;

/**
 * What the analysis measures on the model alone: probes of its outputs and gradients, gap statistics with the
 * minimal-ε searches, the binarization test. They depend on which examples the model classifies correctly and on
 * nothing the attacks find, so the analysis service makes them while a checkpoint's shards are still being attacked
 * and keeps them with the shards; {@link AnalysisPhase} uses them only if they were made on the examples the attacks
 * found correct ({@code correct}: '1' per correct example, 'x' per
 * misclassified one, as in the attack results' clean outcomes), and measures again otherwise.
 *
 * @param gaps         null when the plan measures no gaps
 * @param binarization null when no example is correct
 * @param timeline     each measuring stage with its seconds
 * @param found        the breaks the minimal-ε searches found, per search (empty when no gaps were measured): they
 *                     count in the worst case ({@link VerifiedBreaks})
 */
public record ModelMeasurements(String correct, Probes probes, EvaluationReport.GapSummary gaps,
                                Binarization.Result binarization, List<EvaluationReport.Stage> timeline,
                                List<VerifiedBreaks.Found> found) {

    /** Correct examples with an exactly zero DLR gradient, the share of probability rows, relative output jitter. */
    public record Probes(int zeroGradients, double probabilityRows, double outputVariation) {
    }

    /** '1' for each correct example, 'x' for the others: how {@code correct} is written. */
    static String correct(boolean[] correct) {
        StringBuilder out = new StringBuilder(correct.length);
        for (boolean c : correct) {
            out.append(c ? '1' : 'x');
        }
        return out.toString();
    }

    /** Whether these were measured on exactly the examples a clean outcome string ('1' correct) says are correct. */
    public boolean madeOn(String clean) {
        if (clean.length() != correct.length()) {
            return false;
        }
        for (int i = 0; i < clean.length(); i++) {
            if ((clean.charAt(i) == '1') != (correct.charAt(i) == '1')) {
                return false;
            }
        }
        return true;
    }
}
