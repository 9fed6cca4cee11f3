package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.logitlab.core.analysis.Binarization;
import dev.logitlab.core.analysis.IncompleteOptimization;
import dev.logitlab.core.analysis.MaskingCheck;
import dev.logitlab.core.analysis.MaskingEvidence;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.PassMeter;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Analyses a classifier given its attack results: the output and gradient properties the checks need, gap
 * statistics with minimal-ε searches (these on the model alone, {@link ModelMeasurements}, which may be made before
 * the attacks are done), and the masking verdict. What the analysis service runs.
 */
public final class AnalysisPhase {

    /** Images handled at a time when measuring gaps: any model's activations fit in memory. */
    static final int CHUNK = 500;

    static final double SEARCH_MAX_EPS = 0.5;
    /** Where FMN's ℓ2 search censors: as far beyond usual ℓ2 budgets (0.5–2 on [0, 1] images) as 0.5 is in ℓ∞. */
    public static final double SEARCH_MAX_EPS_L2 = 5;
    static final int BISECTIONS = 6;
    public static final int INCOMPLETE_PROBE = 100;

    private final PassMeter meter;
    private final Classifier model;
    /** What gap statistics and the longer runs measure: the model, or its EOT when its outputs are random. */
    private final Classifier attacked;
    private final Dataset data;
    private final EvaluationPlan plan;

    public AnalysisPhase(Classifier model, Dataset test, EvaluationPlan plan) {
        this.meter = PassMeter.of(model);
        this.model = meter;
        this.data = test.limit(plan.limit());
        this.plan = plan;
        this.attacked = ExpectationOverTransformation.ifRandom(meter, data);
    }

    /** Stage names, fixed here: a worker's findings carry no other (the sandbox checks them against these). */
    public static final String PROBES = "outputs and gradients";
    public static final String BINARIZATION = "binarization test";
    public static final String ESCALATION = "escalation: square with more queries (unavailable gradients)";
    public static final String INCOMPLETE = "incomplete optimization (longer runs)";
    public static final String CHECKS = "masking checks";
    /** What the analysis's stages are called in a report's timeline: this, then the stage. */
    public static final String TIMELINE_PREFIX = "analysis: ";
    public static final String SINGLE_DRAWS = "single draws (a random model as deployed)";
    public static final List<String> GAP_STAGES = List.of("gap statistics (Eq. 4)", "minimal ε for FGSM",
            "minimal ε for PGD", "minimal ε for FMN", "minimal ℓ2 ε for FMN");

    /** The stages {@link #findings} reports to its listener (the escalation only when it runs). */
    public int stages() {
        return stages(plan);
    }

    public static int stages(EvaluationPlan plan) {
        return 4 + (plan.gapLimit() > 0 ? 4 + (plan.epsL2().isEmpty() ? 0 : 1) : 0);
    }

    /**
     * The measurements on the model alone, on the examples it classifies correctly (its clean outputs, through EOT
     * when they are random, as the attack phase judges them): what can run before the attacks' outcomes are in.
     */
    public ModelMeasurements measure(EvaluationListener listener) {
        boolean[] correct = new boolean[data.size()];
        for (int from = 0; from < correct.length; from += CHUNK) {
            int to = Math.min(correct.length, from + CHUNK);
            try (NDManager scope = model.manager().newSubManager()) {
                boolean[] wrong = Losses.misclassified(attacked.logits(data.images(scope, from, to)),
                        Arrays.copyOfRange(data.labels(), from, to));
                for (int i = from; i < to; i++) {
                    correct[i] = !wrong[i - from];
                }
            }
        }
        return measure(correct, new Stages(listener, stages(), meter::count));
    }

    /** On a fresh {@code stages}: its timeline is the measurements' own. */
    private ModelMeasurements measure(boolean[] correct, Stages stages) {
        stages.next(PROBES);
        ModelMeasurements.Probes probes = probes(correct);
        List<VerifiedBreaks.Found> found = new ArrayList<>();
        EvaluationReport.GapSummary gaps = plan.gapLimit() > 0
                ? new GapSearches(model, attacked, data, plan).measure(correct, stages, found) : null;
        stages.next(BINARIZATION);
        Binarization.Result binarized = binarization(correct, plan.eps().get(plan.eps().size() - 1));
        stages.close();
        return new ModelMeasurements(ModelMeasurements.correct(correct), probes, gaps, binarized, stages.timeline(),
                found);
    }

    public EvaluationReport run(AttackResults attackResults, EvaluationListener listener) {
        return run(attackResults, null, listener);
    }

    /**
     * The analysis of the attacks' results, with the measurements made before them ({@link #measure}) when they were
     * made on the same correct examples; measured here otherwise (null, or made on others).
     */
    public EvaluationReport run(AttackResults attackResults, ModelMeasurements measured, EvaluationListener listener) {
        return conclude(plan, attackResults, findings(attackResults, measured, listener));
    }

    /**
     * What the analysis finds by running the model, once the attacks are in: the measurements (made here unless
     * {@code measured} was made on the same correct examples), the escalated Square when gradients were unavailable
     * (null otherwise), and the longer runs of the incomplete-optimization indicator (null: nothing was left robust).
     */
    public record Findings(ModelMeasurements measured, List<Escalation.Outcome> escalation,
                           IncompleteOptimization.Result incomplete, List<EvaluationReport.Stage> timeline,
                           List<SingleDraws.Outcome> singleDraws) {

        /** The findings on a model whose outputs are not random. */
        public Findings(ModelMeasurements measured, List<Escalation.Outcome> escalation,
                        IncompleteOptimization.Result incomplete, List<EvaluationReport.Stage> timeline) {
            this(measured, escalation, incomplete, timeline, null);
        }

        /** The longer runs' breaks at the largest ℓ∞ ε, per example in evaluation order; null when none ran. */
        VerifiedBreaks.Found longerRuns(AttackResults attacks, EvaluationPlan plan) {
            if (incomplete == null) {
                return null;
            }
            double eps = plan.eps().get(plan.eps().size() - 1);
            int[] chosen = incompleteProbe(attacks, eps);
            float[] found = new float[attacks.examples()];
            java.util.Arrays.fill(found, VerifiedBreaks.NONE);
            for (int k : incomplete.broken()) {
                if (chosen != null && k >= 0 && k < chosen.length) {   // a worker's answer is checked; this too
                    found[chosen[k]] = (float) eps;
                }
            }
            return new VerifiedBreaks.Found(VerifiedBreaks.LONGER_RUNS, Norm.LINF.label(), found);
        }
    }

    /** The attacks' results with the escalation of {@code findings} applied, if it ran: what the later stages saw. */
    public static AttackResults escalated(AttackResults attacks, List<Escalation.Outcome> escalation) {
        return escalation == null ? attacks : Escalation.apply(attacks, escalation);
    }

    /** The part of the analysis that runs the model: see {@link Findings}. */
    public Findings findings(AttackResults attackResults, ModelMeasurements measured, EvaluationListener listener) {
        AttackResults attacks = attackResults;
        if (attacks.examples() != data.size()) {
            throw new IllegalArgumentException("attack results cover " + attacks.examples() + " examples, the plan "
                    + data.size());
        }
        boolean[] correct = correct(attacks, data.size());
        Stages stages = new Stages(listener, stages(), meter::count);
        ModelMeasurements m;
        if (measured != null && measured.madeOn(attacks.clean())) {
            m = measured;
            stages.skip(measured.timeline());
        } else {
            m = measure(correct, stages);
        }
        List<Escalation.Outcome> escalation = null;
        if (Escalation.needed(m.probes().zeroGradients(), data.size())) {
            stages.next(ESCALATION);
            escalation = Escalation.run(attacked, data, attacks, plan.seed());
            attacks = Escalation.apply(attacks, escalation);
        }
        stages.next(INCOMPLETE);
        IncompleteOptimization.Result incomplete = incompleteOptimization(attacks, plan.eps().get(plan.eps().size() - 1));
        List<SingleDraws.Outcome> singleDraws = null;
        if (attacked instanceof ExpectationOverTransformation) {
            stages.next(SINGLE_DRAWS);
            singleDraws = SingleDraws.run(attacked, model, data, attacks, plan.singleDraws(), plan.seed());
        }
        stages.done();
        return new Findings(m, escalation, incomplete, stages.timeline(), singleDraws);
    }

    /**
     * The report from the attacks' results and what the analysis found with the model: the masking checks, the
     * intervals, the timeline. Runs no model: the same on whichever side of a sandbox the findings were made.
     */
    public static EvaluationReport conclude(EvaluationPlan plan, AttackResults attackResults, Findings findings) {
        long start = System.nanoTime();
        AttackResults escalated = findings.escalation() == null ? attackResults
                : Escalation.apply(attackResults, findings.escalation());
        ModelMeasurements m = findings.measured();
        // What the longer runs and the minimal-ε searches broke counts too, at their budget and every larger one.
        List<VerifiedBreaks.Found> found = new ArrayList<>();
        VerifiedBreaks.Found longer = findings.longerRuns(escalated, plan);
        if (longer != null) {
            found.add(longer);
        }
        if (m.found() != null) {
            found.addAll(m.found());
        }
        List<EvaluationReport.WorstCase> worst = VerifiedBreaks.enter(escalated.worstCase(), found);
        if (findings.singleDraws() != null) {
            worst = SingleDraws.enter(worst, findings.singleDraws());
        }
        AttackResults attacks = new AttackResults(escalated.model(), escalated.dataset(), escalated.examples(),
                escalated.seed(), escalated.clean(), escalated.attacks(), worst, escalated.sweep(),
                escalated.unbounded());
        boolean[] correct = correct(attacks, attacks.examples());
        List<MaskingEvidence.Outcome> outcomes = new ArrayList<>();
        for (EvaluationReport.AttackRun run : attacks.attacks()) {
            boolean[] broken = new boolean[correct.length];
            for (int i = 0; i < broken.length; i++) {
                broken[i] = run.robust().charAt(i) != '1';
            }
            outcomes.add(new MaskingEvidence.Outcome(run.name(), new Budget(Norm.parse(run.norm()), run.eps()),
                    AttackSuite.usesGradients(run.name()), broken));
        }
        TreeMap<Double, Double> sweep = new TreeMap<>();
        attacks.sweep().forEach(p -> sweep.put(p.eps(), p.robustAccuracy()));
        MaskingEvidence evidence = new MaskingEvidence(correct, outcomes, sweep, attacks.unbounded().eps(),
                attacks.unbounded().robustAccuracy(), m.probes().zeroGradients(), m.probes().probabilityRows(),
                m.probes().outputVariation(), findings.incomplete(), m.binarization(), plan.eps().get(plan.eps().size() - 1));
        List<EvaluationReport.Check> checks = MaskingCheck.evaluateAll(evidence);
        List<EvaluationReport.Stage> timeline = new ArrayList<>(findings.timeline());
        timeline.add(new EvaluationReport.Stage(CHECKS, (System.nanoTime() - start) / 1e9, Passes.NONE));
        return new EvaluationReport(EvaluationReport.SCHEMA, attacks.model(), attacks.dataset(), attacks.examples(),
                attacks.seed(), attacks.cleanAccuracy(), attacks.attacks(), attacks.worstCase(), m.gaps(),
                new EvaluationReport.Masking(checks.stream().anyMatch(c -> !c.passed()), checks),
                dev.logitlab.core.verdict.ClopperPearson.of(attacks.clean()).toList(), timeline.stream()
                        .map(t -> new EvaluationReport.Stage(TIMELINE_PREFIX + t.name(), t.seconds(), t.passes()))
                        .toList(),
                new EvaluationReport.Procedures(Math.min(plan.gapLimit(), attacks.examples()),
                        Math.min(plan.searchLimit(), attacks.examples()), plan.singleDraws()));
    }

    private static boolean[] correct(AttackResults attacks, int examples) {
        boolean[] correct = new boolean[examples];
        for (int i = 0; i < correct.length; i++) {
            correct[i] = attacks.clean().charAt(i) == '1';
        }
        return correct;
    }

    private ModelMeasurements.Probes probes(boolean[] correct) {
        int n = data.size();
        int zero = 0;
        long probabilityRows = 0;
        double variation = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int[] y = Arrays.copyOfRange(data.labels(), from, to);
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray x = data.images(scope, from, to);
                NDArray logits = model.logits(x);
                variation = Math.max(variation, ExpectationOverTransformation.relativeJitter(model, x));
                probabilityRows += probabilityRows(logits);
                // AutoAttack's check_zero_gradients: DLR is scale-free, so only a truly flat model zeroes it.
                NDArray gradient = model.gradient(x, z -> (z.getShape().get(1) >= 4
                        ? Losses.dlr(z, Losses.oneHot(y, z)) : Losses.margin(z, Losses.oneHot(y, z))).sum());
                float[] largest = gradient.abs().reshape(y.length, -1).max(new int[] {1}).toFloatArray();
                for (int i = 0; i < y.length; i++) {
                    zero += correct[from + i] && largest[i] == 0 ? 1 : 0;
                }
            }
        }
        return new ModelMeasurements.Probes(zero, (double) probabilityRows / n, variation);
    }

    /**
     * The binarization test on the first {@value Binarization#EXAMPLES} correct examples with the plan's ℓ∞
     * attacks, less those whose loss needs three classes (DLR) and transfer (its surrogate never sees the readout).
     */
    private Binarization.Result binarization(boolean[] correct, double eps) {
        int[] chosen = IntStream.range(0, correct.length).filter(i -> correct[i]).limit(Binarization.EXAMPLES).toArray();
        if (chosen.length == 0) {
            return null;
        }
        List<Attack> attacks = AttackSuite.parseWithoutTransfer(plan.attacks(), Norm.LINF).stream()
                .filter(a -> !a.name().startsWith("apgd-dlr") && !a.name().equals("apgd-t")).toList();
        Dataset subset = data.select(chosen);
        try (NDManager scope = model.manager().newSubManager()) {
            return Binarization.run(attacked, subset.images(scope, 0, chosen.length), subset.labels(), attacks, eps,
                    plan.seed());
        }
    }

    /** Indicator 2 on up to {@value #INCOMPLETE_PROBE} examples every ℓ∞ attack left robust at the largest ε. */
    private IncompleteOptimization.Result incompleteOptimization(AttackResults attacks, double eps) {
        int[] chosen = incompleteProbe(attacks, eps);
        if (chosen == null || chosen.length == 0) {
            return null;
        }
        Dataset subset = data.select(chosen);
        try (NDManager scope = model.manager().newSubManager()) {
            return IncompleteOptimization.probe(attacked, subset.images(scope, 0, chosen.length), subset.labels(), eps,
                    plan.seed());
        }
    }

    /**
     * The examples indicator 2 probes: the first {@value #INCOMPLETE_PROBE} every ℓ∞ attack at ε left robust (null: no
     * ℓ∞ attack at ε), in {@code attacks} after the escalation.
     */
    public static int[] incompleteProbe(AttackResults attacks, double eps) {
        String robust = null;
        for (EvaluationReport.AttackRun run : attacks.attacks()) {
            if (run.norm().equals(Norm.LINF.label()) && run.eps() == eps) {
                robust = robust == null ? run.robust() : both(robust, run.robust());
            }
        }
        if (robust == null) {
            return null;
        }
        String left = robust;
        return IntStream.range(0, left.length()).filter(i -> left.charAt(i) == '1').limit(INCOMPLETE_PROBE).toArray();
    }

    /** Per example robust in both outcome strings. */
    private static String both(String a, String b) {
        StringBuilder out = new StringBuilder(a.length());
        for (int i = 0; i < a.length(); i++) {
            out.append(a.charAt(i) == '1' && b.charAt(i) == '1' ? '1' : a.charAt(i) == 'x' ? 'x' : '0');
        }
        return out.toString();
    }

    private static long probabilityRows(NDArray logits) {
        NDArray inRange = logits.gte(0).logicalAnd(logits.lte(1)).toType(DataType.FLOAT32, false)
                .min(new int[] {1}).eq(1);
        NDArray sumsToOne = logits.sum(new int[] {1}).sub(1).abs().lt(1e-3f);
        return inRange.logicalAnd(sumsToOne).sum().getLong();
    }
}
