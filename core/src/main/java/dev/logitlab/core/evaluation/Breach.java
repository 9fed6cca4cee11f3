package dev.logitlab.core.evaluation;

import dev.logitlab.core.verdict.Interval;
import dev.logitlab.core.verdict.McNemar;
import dev.logitlab.core.verdict.PairedDifference;
import dev.logitlab.core.verdict.PairedOutcomes;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;

/**
 * Mosbach et al. 2018's breach, tested example by example: a defense that scores above plain training under the weak
 * evaluation the pairing papers reported, and falls to plain's level (or below) under the full suite. Both models are
 * judged on the same test images, so every comparison is paired. The breach is {@code shown} when both legs are: the
 * weak gain by a one-sided exact McNemar test at {@link #ALPHA}, the fall by the one-sided upper bound of the full-suite
 * difference (Newcombe's paired interval) under the margin {@link #MARGIN} (an intersection-union test: each leg at α).
 * It is {@code refuted} when the defense is shown above plain by more than the margin under the full suite (a gain
 * that held) or not above it even under the weak evaluation (its upper bound at or below 0), and {@code not shown}
 * otherwise: too few examples to tell, which a larger evaluation may decide. A defense whose clean accuracy is more
 * than {@link #TRAINED_MARGIN} below plain training's {@code did not train}: its robust figures say nothing about the
 * defense, and nothing is tested.
 */
public record Breach(List<Row> rows) {

    /** The level of each one-sided test. */
    public static final double ALPHA = 0.05;
    /** How far above plain training "at plain's level" may be. */
    public static final double MARGIN = 0.02;
    public static final String SHOWN = "shown";
    public static final String REFUTED = "refuted";
    public static final String NOT_SHOWN = "not shown";
    public static final String DID_NOT_TRAIN = "did not train";
    /** How far below plain training's clean accuracy a model may be and still count as trained. */
    public static final double TRAINED_MARGIN = 0.2;

    /**
     * {@code dropP}: one-sided p that the full suite breaks what the weak run left (descriptive: every model loses
     * some); {@code weakOverPlain}: the defense's robust accuracy minus plain's under the weak evaluation, with its
     * one-sided p and 95% interval; {@code fullOverPlain}: the same under the full suite, with its one-sided 95% bounds;
     * {@code answer}: {@value #SHOWN}, {@value #REFUTED}, {@value #NOT_SHOWN} or {@value #DID_NOT_TRAIN}.
     */
    public record Row(String budget, double dropP, double weakOverPlain, double weakOverPlainP,
                      List<Double> weakInterval, double fullOverPlain, double fullLower, double fullUpper,
                      String answer) {
    }

    /** The defense's two evaluations against plain training's, on the same examples and budgets. */
    public static Breach of(AttackStrengthGap defense, AttackStrengthGap plain) {
        List<Row> rows = new ArrayList<>();
        for (EvaluationReport.WorstCase full : defense.full().worstCase()) {
            EvaluationReport.WorstCase weak = same(defense.weak(), full);
            String plainWeak = same(plain.weak(), full).robust();
            PairedOutcomes weakPair = PairedOutcomes.of(plainWeak, weak.robust());
            PairedOutcomes fullPair = PairedOutcomes.of(same(plain.full(), full).robust(), full.robust());
            double dropP = McNemar.dropP(PairedOutcomes.of(weak.robust(), full.robust()));
            // one-sided: the candidate above the baseline is the baseline's drop, seen from the other side
            double weakP = McNemar.dropP(PairedOutcomes.of(weak.robust(), plainWeak));
            Interval weakInterval = PairedDifference.of(weakPair, 0.95);
            double weakUpper = PairedDifference.upperBound(weakPair, ALPHA);
            double fullLower = PairedDifference.lowerBound(fullPair, ALPHA);
            double fullUpper = PairedDifference.upperBound(fullPair, ALPHA);
            double weakOver = weakPair.candidateAccuracy() - weakPair.baselineAccuracy();
            double fullOver = fullPair.candidateAccuracy() - fullPair.baselineAccuracy();
            String answer = !trained(defense, plain) ? DID_NOT_TRAIN : fullLower > MARGIN || weakUpper <= 0 ? REFUTED
                    : weakOver > 0 && weakP < ALPHA && fullUpper < MARGIN ? SHOWN : NOT_SHOWN;
            rows.add(new Row(full.budget(), dropP, weakOver, weakP, List.of(weakInterval.lower(), weakInterval.upper()),
                    fullOver, fullLower, fullUpper, answer));
        }
        return new Breach(rows);
    }

    /** Whether the defense's model learned the task: clean accuracy within {@link #TRAINED_MARGIN} of plain's. */
    public static boolean trained(AttackStrengthGap defense, AttackStrengthGap plain) {
        return defense.full().cleanAccuracy() >= plain.full().cleanAccuracy() - TRAINED_MARGIN - 1e-9;
    }

    static EvaluationReport.WorstCase same(EvaluationReport report, EvaluationReport.WorstCase budget) {
        return report.worstCase().stream().filter(w -> w.norm().equals(budget.norm()) && w.eps() == budget.eps())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + budget.budget() + " in the report"));
    }
}
