package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Verdict;

/**
 * Robust overfitting (Rice, Wong, Kolter 2020), claimed only on evidence: a checkpoint after the run's best is
 * significantly below it at the headline budget. Three guards against false alarms:
 * <ul>
 *   <li>the best is chosen on the selection half and the comparison made on the held-out half
 *   ({@link BestCheckpoint}), so the best's figure is not inflated by its own selection;</li>
 *   <li>the test is of a drop, one-sided exact McNemar on the paired held-out outcomes, not a failed non-inferiority
 *   (which equal checkpoints fail at these sizes);</li>
 *   <li>a run's checkpoints are a family of tests, made one at a time as their reports arrive, each verdict final
 *   once published, with the best moving as they come. Holm's method needs the whole family at once, so the error is
 *   spent instead: the k-th report of a run under one protocol to arrive (k ≥ 2, counting every such report then
 *   known, this one included) is tested at α/(k(k − 1)); per protocol, since junk reports under another could
 *   otherwise push k up and silence the test. These sum to α over any number of reports (a telescoping series), so by the
 *   union bound the chance that a run of equal checkpoints gets any robust-overfitting verdict stays within α,
 *   whichever is best and in whatever order the reports arrive. (A checkpoint evaluated again replaces its report and
 *   is tested again at the same k: that spends its share twice.) The price is power late in long runs (α/90 at the
 *   tenth report): a drop must be large to be called.</li>
 * </ul>
 */
public final class RobustOverfitting {

    private RobustOverfitting() {
    }

    /**
     * The test of {@code current} against {@code best}, the {@code place}-th report of its run to arrive; null when
     * current is not after the best or either lacks per-example outcomes.
     */
    public static Verdict.Overfitting test(Judged current, Judged best, int place, double alpha) {
        if (current.epoch() <= best.epoch() || !RunVerdicts.hasOutcomes(best) || !RunVerdicts.hasOutcomes(current)) {
            return null;
        }
        PairedOutcomes t = PairedOutcomes.of(BestCheckpoint.heldOutHalf(BestCheckpoint.headline(best.report()).robust()),
                BestCheckpoint.heldOutHalf(BestCheckpoint.headline(current.report()).robust()));
        double p = McNemar.dropP(t);
        double adjusted = Math.min(1, p * spending(place));
        EvaluationReport.WorstCase headline = BestCheckpoint.headline(current.report());
        return new Verdict.Overfitting(headline.budget(), t.examples(), t.baselineAccuracy(), t.candidateAccuracy(), p,
                adjusted, place, adjusted <= alpha);
    }

    /** What a p at place k is multiplied by: k(k − 1), so that place k is tested at α/(k(k − 1)). */
    static double spending(int place) {
        return Math.max(1, (double) place * (place - 1));
    }
}
