package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The verdict on one checkpoint of a run, from its report, the run's other reports and the run's baseline:
 * <ul>
 *   <li>{@code regressed}: the run names a baseline checkpoint and this one fails the {@link Gate} against it on the
 *   numbers (not worse by more than the margin, on paired outcomes);</li>
 *   <li>{@code masking-suspected}: an indicator of attack failure fired (with a baseline: one the baseline did not);</li>
 *   <li>{@code robust-overfitting}: this checkpoint comes after the run's best and is significantly below it (the
 *   gate's test when the baseline is {@value RunSpec.Evaluation#BEST}, else exact McNemar at α on the headline budget,
 *   the best ahead);</li>
 *   <li>{@code passed} otherwise.</li>
 * </ul>
 */
public final class RunVerdicts {

    public static final double ALPHA = 0.05;

    private RunVerdicts() {
    }

    /**
     * {@code others}: the run's other checkpoints with reports; {@code named}: the report of the baseline the run
     * names by id, if it names one and it is known.
     */
    public static Verdict judge(Judged current, List<Judged> others, RunSpec.Evaluation plan, Optional<Judged> named) {
        double margin = plan == null ? RunSpec.Evaluation.DEFAULT_MAX_DROP : plan.margin();
        String baselineSpec = plan == null ? null : plan.baseline();
        List<Judged> all = new ArrayList<>(others);
        all.add(current);
        Judged best = BestCheckpoint.of(all).orElseThrow();
        Optional<Judged> bestBefore = BestCheckpoint.of(others.stream().filter(o -> o.epoch() < current.epoch()).toList());
        boolean comparesWithBest = RunSpec.Evaluation.BEST.equals(baselineSpec);
        Optional<Judged> reference = comparesWithBest ? bestBefore : named;
        List<String> failed = current.report().masking().checks().stream().filter(c -> !c.passed())
                .map(EvaluationReport.Check::name).distinct().toList();

        if (reference.isPresent()) {
            List<String> differences = Protocol.of(reference.get().report()).differences(Protocol.of(current.report()));
            if (differences.isEmpty() && hasOutcomes(reference.get()) && hasOutcomes(current)) {
                Gate gate = Gate.of(reference.get().report(), current.report(), margin, ALPHA);
                List<Verdict.BudgetTest> tests = tests(gate);
                Judged ref = reference.get();
                if (!gate.decisions().stream().allMatch(NonInferiority.Decision::notWorse)) {
                    String kind = comparesWithBest ? "robust-overfitting" : "regressed";
                    return verdict(current, kind, String.format(Locale.ROOT, "%s is worse than %s (epoch %d) by more "
                            + "than %.3f: %s", current.checkpointId(), ref.checkpointId(), ref.epoch(), margin,
                            worst(gate)), ref, best, margin, tests, failed);
                }
                if (!gate.comparison().newIndicators().isEmpty()) {
                    return verdict(current, "masking-suspected", "indicators the baseline " + ref.checkpointId()
                            + " did not raise: " + String.join(", ", gate.comparison().newIndicators()), ref, best,
                            margin, tests, gate.comparison().newIndicators());
                }
                // Indicators the baseline raised too are the baseline's story, not news about this checkpoint.
                if (!comparesWithBest) {
                    return overfittingOr(current, best, margin, List.of(), tests, ref, "not worse than " + ref.checkpointId()
                            + " by more than " + String.format(Locale.ROOT, "%.3f", margin) + "; " + summary(tests));
                }
                return overfittingOr(current, best, margin, List.of(), tests, ref, "not worse than the run's best so far, "
                        + ref.checkpointId() + ", by more than " + String.format(Locale.ROOT, "%.3f", margin));
            }
            String why = !differences.isEmpty() ? "judged under another protocol (" + String.join("; ", differences) + ")"
                    : "without per-example outcomes";
            return overfittingOr(current, best, margin, failed, List.of(), null, "baseline " + reference.get()
                    .checkpointId() + " not compared: " + why);
        }
        String note = baselineSpec == null || comparesWithBest ? "no baseline"
                : "baseline " + baselineSpec + " has no report yet";
        return overfittingOr(current, best, margin, failed, List.of(), null, note);
    }

    /** Masking first, then robust overfitting against the best (exact McNemar at the headline budget), else passed. */
    private static Verdict overfittingOr(Judged current, Judged best, double margin, List<String> failed,
                                         List<Verdict.BudgetTest> tests, Judged reference, String passedReason) {
        if (!failed.isEmpty()) {
            return verdict(current, "masking-suspected", "indicators of attack failure: " + String.join(", ", failed),
                    reference, best, margin, tests, failed);
        }
        if (best.epoch() < current.epoch() && hasOutcomes(best) && hasOutcomes(current)
                && Protocol.of(best.report()).differences(Protocol.of(current.report())).isEmpty()) {
            EvaluationReport.WorstCase b = BestCheckpoint.headline(best.report());
            EvaluationReport.WorstCase c = BestCheckpoint.headline(current.report());
            PairedOutcomes t = PairedOutcomes.of(b.robust(), c.robust());
            double p = McNemar.exactP(t);
            if (t.difference() < 0 && p < ALPHA) {
                return verdict(current, "robust-overfitting", String.format(Locale.ROOT, "epoch %d is significantly "
                        + "below the run's best, epoch %d, at %s: %.3f against %.3f (exact McNemar p = %.4f)",
                        current.epoch(), best.epoch(), c.budget(), c.robustAccuracy(), b.robustAccuracy(), p), reference,
                        best, margin, tests.isEmpty() ? List.of(test(b.budget(), t, b.robust(), c.robust(), margin))
                                : tests, failed);
            }
        }
        return verdict(current, "passed", passedReason, reference, best, margin, tests, failed);
    }

    private static Verdict verdict(Judged current, String kind, String reason, Judged reference, Judged best,
                                   double margin, List<Verdict.BudgetTest> tests, List<String> indicators) {
        return new Verdict(Verdict.SCHEMA_VERSION, current.runId(), current.checkpointId(), current.epoch(), kind, reason,
                reference == null ? null : reference.checkpointId(), best.checkpointId(), best.epoch(), margin, ALPHA,
                tests, indicators);
    }

    private static List<Verdict.BudgetTest> tests(Gate gate) {
        List<Verdict.BudgetTest> tests = new ArrayList<>();
        for (int i = 0; i < gate.decisions().size(); i++) {
            Comparison.BudgetChange b = gate.comparison().budgets().get(i);
            NonInferiority.Decision d = gate.decisions().get(i);
            tests.add(new Verdict.BudgetTest(b.budget(), b.outcomes().baselineAccuracy(), b.outcomes().candidateAccuracy(),
                    b.candidate().toList(), d.difference(), b.difference().toList(), d.lowerBound(), b.mcNemarP(),
                    b.outcomes().baselineOnly()));
        }
        return tests;
    }

    private static Verdict.BudgetTest test(String budget, PairedOutcomes t, String reference, String current,
                                           double margin) {
        return new Verdict.BudgetTest(budget, t.baselineAccuracy(), t.candidateAccuracy(),
                ClopperPearson.of(current).toList(), t.difference(),
                PairedDifference.of(t, ClopperPearson.CONFIDENCE).toList(), PairedDifference.lowerBound(t, ALPHA),
                McNemar.exactP(t), t.baselineOnly());
    }

    private static String worst(Gate gate) {
        int worst = 0;
        for (int i = 1; i < gate.decisions().size(); i++) {
            if (gate.decisions().get(i).lowerBound() < gate.decisions().get(worst).lowerBound()) {
                worst = i;
            }
        }
        NonInferiority.Decision d = gate.decisions().get(worst);
        return String.format(Locale.ROOT, "at %s %.3f against %.3f, change %+.3f, one-sided lower bound %+.3f",
                gate.comparison().budgets().get(worst).budget(), d.outcomes().candidateAccuracy(),
                d.outcomes().baselineAccuracy(), d.difference(), d.lowerBound());
    }

    private static String summary(List<Verdict.BudgetTest> tests) {
        return String.join(", ", tests.stream().map(t -> String.format(Locale.ROOT, "%s %+.3f", t.budget(),
                t.difference())).toList());
    }

    private static boolean hasOutcomes(Judged j) {
        return j.report().worstCase().stream().allMatch(w -> w.robust() != null);
    }
}
