package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.core.verdict.NonInferiority.Answer;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The verdict on one checkpoint of a run, from its report, the run's other reports under the same protocol and the
 * run's baseline; the first that holds:
 * <ul>
 *   <li>{@code regressed}: the run names a baseline checkpoint and the {@link Gate} against it shows a drop larger
 *   than the margin;</li>
 *   <li>{@code masking-suspected}: an indicator of attack failure fired (with a baseline: one the baseline did not);</li>
 *   <li>{@code robust-overfitting}: this checkpoint comes after the run's best and is significantly below it
 *   ({@link RobustOverfitting}: on the held-out half, the run's checkpoints as a family);</li>
 *   <li>{@code inconclusive}: compared with a baseline (the named one, or with {@value RunSpec.Evaluation#BEST} the
 *   best so far on the held-out half), the evidence shows neither non-inferiority nor a drop;</li>
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
        List<Judged> peers = BestCheckpoint.underProtocolOf(current, all);
        Judged best = BestCheckpoint.ofOneProtocol(peers).orElseThrow();
        // Its place among the run's reports under its protocol as they arrived: every one then known, and this one. Not
        // of every protocol: cheap reports of another would push k up and silence the test.
        Verdict.Overfitting overfitting = RobustOverfitting.test(current, best, peers.size(), ALPHA);
        List<String> failed = current.report().masking().checks().stream().filter(c -> !c.passed())
                .map(EvaluationReport.Check::name).distinct().toList();
        Judging j = new Judging(current, best, margin, overfitting);

        if (RunSpec.Evaluation.BEST.equals(baselineSpec)) {
            Optional<Judged> before = BestCheckpoint.ofOneProtocol(peers.stream()
                    .filter(o -> o.epoch() < current.epoch()).toList());
            EvaluationReport reference = before.map(b -> BestCheckpoint.heldOut(b.report())).orElse(null);
            EvaluationReport held = BestCheckpoint.heldOut(current.report());
            if (reference != null && held != null) {
                Gate gate = Gate.of(reference, held, margin, ALPHA);
                Judged ref = before.get();
                String against = "the run's best so far, " + ref.checkpointId() + " (epoch " + ref.epoch()
                        + "), on the held-out half";
                return judged(j, gate, ref, failed, against, Answer.PASSED == gate.onTheNumbers()
                        ? Answer.PASSED : Answer.INCONCLUSIVE);
            }
            return unbaselined(j, failed, before.isEmpty() ? "no earlier checkpoint to compare with"
                    : "the best so far, " + before.get().checkpointId() + ", has no per-example outcomes");
        }
        if (named.isPresent()) {
            Judged ref = named.get();
            List<String> differences = Protocol.of(ref.report()).differences(Protocol.of(current.report()));
            if (differences.isEmpty() && hasOutcomes(ref) && hasOutcomes(current)) {
                Gate gate = Gate.of(ref.report(), current.report(), margin, ALPHA);
                return judged(j, gate, ref, failed, ref.checkpointId(), gate.onTheNumbers());
            }
            String why = !differences.isEmpty() ? "judged under another protocol (" + String.join("; ", differences) + ")"
                    : "without per-example outcomes";
            return unbaselined(j, failed, "baseline " + ref.checkpointId() + " not compared: " + why);
        }
        return unbaselined(j, failed, baselineSpec == null ? "no baseline" : "baseline " + baselineSpec
                + " has no report yet");
    }

    /** What every verdict of one judgement shares. */
    private record Judging(Judged current, Judged best, double margin, Verdict.Overfitting overfitting) {
    }

    /**
     * The verdict from a gate against a reference; {@code answer}: the gate's on the numbers, except against the best
     * so far, where a drop is robust overfitting's to show (as a family), and a drop it does not show is inconclusive.
     */
    private static Verdict judged(Judging j, Gate gate, Judged ref, List<String> failed, String against, Answer answer) {
        List<Verdict.BudgetTest> tests = tests(gate);
        if (answer == Answer.REGRESSED) {
            return verdict(j, "regressed", String.format(Locale.ROOT, "a drop larger than %.3f below %s: %s", j.margin(),
                    against, worst(gate)), ref, tests, failed);
        }
        List<String> indicators = gate.comparison().newIndicators();
        if (!indicators.isEmpty()) {
            return verdict(j, "masking-suspected", "indicators " + against + " did not raise: "
                    + String.join(", ", indicators), ref, tests, indicators);
        }
        // Indicators the baseline raised too are the baseline's story, not news about this checkpoint.
        if (j.overfitting() != null && j.overfitting().significant()) {
            return verdict(j, "robust-overfitting", overfittingReason(j), ref, tests, List.of());
        }
        if (answer == Answer.INCONCLUSIVE && gate.onTheNumbers() == Answer.REGRESSED) {
            return verdict(j, "inconclusive", String.format(Locale.ROOT, "a drop below %s (%s), shown by the "
                    + "gate's test, that the robust-overfitting test at the headline budget, the run's reports counted as "
                    + "a family, does not show", against, worst(gate)), ref, tests,
                    List.of());
        }
        if (answer == Answer.INCONCLUSIVE) {
            int needed = gate.examplesToDecide();
            return verdict(j, "inconclusive", String.format(Locale.ROOT, "neither not worse than %s by more than %.3f "
                    + "nor a larger drop shown: %s; %s", against, j.margin(), worst(gate), needed < 0
                    ? "no number of examples would decide it" : "about " + needed + " examples would decide it"),
                    ref, tests, List.of());
        }
        return verdict(j, "passed", String.format(Locale.ROOT, "not worse than %s by more than %.3f: %s", against,
                j.margin(), summary(tests)), ref, tests, List.of());
    }

    /** Without a reference: masking first, then robust overfitting against the best, else passed. */
    private static Verdict unbaselined(Judging j, List<String> failed, String passedReason) {
        if (!failed.isEmpty()) {
            return verdict(j, "masking-suspected", "indicators of attack failure: " + String.join(", ", failed), null,
                    List.of(), failed);
        }
        if (j.overfitting() != null && j.overfitting().significant()) {
            return verdict(j, "robust-overfitting", overfittingReason(j), null, List.of(), failed);
        }
        return verdict(j, "passed", passedReason, null, List.of(), failed);
    }

    private static String overfittingReason(Judging j) {
        Verdict.Overfitting o = j.overfitting();
        return String.format(Locale.ROOT, "epoch %d is significantly below the run's best, epoch %d, at %s on the "
                + "held-out half (%d examples): %.3f against %.3f (one-sided exact McNemar p = %.4f; as the run's report %d "
                + "it is tested at α/%d, adjusted p = %.4f)", j.current().epoch(), j.best().epoch(), o.budget(),
                o.examples(), o.accuracy(), o.best(), o.dropP(), o.place(), o.place() * (o.place() - 1), o.adjustedP());
    }

    private static Verdict verdict(Judging j, String kind, String reason, Judged reference,
                                   List<Verdict.BudgetTest> tests, List<String> indicators) {
        Judged current = j.current();
        return new Verdict(Verdict.SCHEMA_VERSION, current.runId(), current.checkpointId(), current.epoch(), kind, reason,
                reference == null ? null : reference.checkpointId(), j.best().checkpointId(), j.best().epoch(),
                j.margin(), ALPHA, tests, indicators, j.overfitting());
    }

    private static List<Verdict.BudgetTest> tests(Gate gate) {
        List<Verdict.BudgetTest> tests = new ArrayList<>();
        for (int i = 0; i < gate.decisions().size(); i++) {
            Comparison.BudgetChange b = gate.comparison().budgets().get(i);
            NonInferiority.Decision d = gate.decisions().get(i);
            tests.add(new Verdict.BudgetTest(b.budget(), b.outcomes().baselineAccuracy(), b.outcomes().candidateAccuracy(),
                    b.candidate().toList(), d.difference(), b.difference().toList(), d.lowerBound(), b.mcNemarP(),
                    b.outcomes().baselineOnly(), d.upperBound(), d.answer().word(),
                    d.answer() == Answer.INCONCLUSIVE ? d.examplesToDecide() : null));
        }
        return tests;
    }

    /** The budget whose answer is least favourable, with its numbers. */
    private static String worst(Gate gate) {
        int worst = 0;
        for (int i = 1; i < gate.decisions().size(); i++) {
            if (gate.decisions().get(i).lowerBound() < gate.decisions().get(worst).lowerBound()) {
                worst = i;
            }
        }
        NonInferiority.Decision d = gate.decisions().get(worst);
        return String.format(Locale.ROOT, "at %s %.3f against %.3f, change %+.3f, one-sided bounds [%+.3f, %+.3f]",
                gate.comparison().budgets().get(worst).budget(), d.outcomes().candidateAccuracy(),
                d.outcomes().baselineAccuracy(), d.difference(), d.lowerBound(), d.upperBound());
    }

    private static String summary(List<Verdict.BudgetTest> tests) {
        return String.join(", ", tests.stream().map(t -> String.format(Locale.ROOT, "%s %+.3f", t.budget(),
                t.difference())).toList());
    }

    static boolean hasOutcomes(Judged j) {
        return j.report().worstCase().stream().allMatch(w -> w.robust() != null);
    }
}
