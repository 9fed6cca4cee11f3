package dev.logitlab.events;

import java.util.List;
import java.util.Map;

/**
 * The result of evaluating one model (schema {@value #SCHEMA}): clean accuracy, every attack at every ε,
 * the worst case per example, gap statistics (Shafahi et al. Eq. 4) and the gradient-masking verdict.
 * {@code ./lab evaluate} writes it; the services publish it inside their events.
 */
public record EvaluationReport(
        String schema,
        String model,
        String dataset,
        int examples,
        long seed,
        double cleanAccuracy,
        List<AttackRun> attacks,
        List<WorstCase> worstCase,
        GapSummary gaps,
        Masking masking,
        List<Double> cleanInterval,
        List<Stage> timeline,
        Procedures procedures) {

    public static final String SCHEMA = "logitlab.evaluation/v1";

    /**
     * The settings of the procedures beyond the suite whose breaks enter the worst case: how many correct examples get
     * FGSM's minimal-ε search ({@code gapLimit}) and PGD's and FMN's ({@code searchLimit}), and on how many single
     * draws a randomized model is judged ({@code singleDraws}). Part of the protocol; absent in reports written before
     * every break counted.
     */
    public record Procedures(int gapLimit, int searchLimit, int singleDraws) {
    }

    /** A report that does not record its procedures (written before they entered the worst case). */
    public EvaluationReport(String schema, String model, String dataset, int examples, long seed, double cleanAccuracy,
                            List<AttackRun> attacks, List<WorstCase> worstCase, GapSummary gaps, Masking masking,
                            List<Double> cleanInterval, List<Stage> timeline) {
        this(schema, model, dataset, examples, seed, cleanAccuracy, attacks, worstCase, gaps, masking, cleanInterval,
                timeline, null);
    }

    /** A report without intervals (written before they were added). */
    public EvaluationReport(String schema, String model, String dataset, int examples, long seed, double cleanAccuracy,
                            List<AttackRun> attacks, List<WorstCase> worstCase, GapSummary gaps, Masking masking) {
        this(schema, model, dataset, examples, seed, cleanAccuracy, attacks, worstCase, gaps, masking, null);
    }

    /** A report without a timeline (written before reports said where their time went). */
    public EvaluationReport(String schema, String model, String dataset, int examples, long seed, double cleanAccuracy,
                            List<AttackRun> attacks, List<WorstCase> worstCase, GapSummary gaps, Masking masking,
                            List<Double> cleanInterval) {
        this(schema, model, dataset, examples, seed, cleanAccuracy, attacks, worstCase, gaps, masking, cleanInterval,
                null);
    }

    /**
     * Where an evaluation's time went, stage by stage, in the order they ran: the wait before the last shard was in
     * (services only), each attack's compute summed over its shards, and each stage of the analysis, with what each
     * cost in the network ({@code passes}; null where nothing was counted: the wait, and reports from before).
     */
    public record Stage(String name, double seconds, Passes passes) {

        public Stage(String name, double seconds) {
            this(name, seconds, null);
        }
    }

    /** The same report with a timeline. */
    public EvaluationReport withTimeline(List<Stage> stages) {
        return new EvaluationReport(schema, model, dataset, examples, seed, cleanAccuracy, attacks, worstCase, gaps,
                masking, cleanInterval, stages == null ? null : List.copyOf(stages), procedures);
    }

    /** The same report with the settings of its procedures. */
    public EvaluationReport withProcedures(Procedures settings) {
        return new EvaluationReport(schema, model, dataset, examples, seed, cleanAccuracy, attacks, worstCase, gaps,
                masking, cleanInterval, timeline, settings);
    }

    /** The norms budgets are measured in; reports written before ℓ2 existed have none, which reads as ℓ∞. */
    public static final String LINF = "linf";
    public static final String L2 = "l2";

    /** A budget as reports and logs print it: {@code ε=0.1} for ℓ∞, the default, and {@code ℓ2 ε=0.5}. */
    public static String budget(String norm, double eps) {
        String value = java.math.BigDecimal.valueOf(eps).stripTrailingZeros().toPlainString();
        return (L2.equals(norm) ? "ℓ2 " : "") + "ε=" + value;
    }

    /**
     * One attack at one budget ({@code norm}: linf or l2, and ε). {@code robust} has one character per example in
     * evaluation order: {@code 1} robust, {@code 0} broken by this attack, {@code x} misclassified before any attack.
     * {@code passes}: what it cost in the network over all its shards (null in reports from before they were counted).
     */
    public record AttackRun(String name, String norm, double eps, double robustAccuracy, double seconds,
                            Map<String, Object> params, String robust, List<Double> interval, Passes passes) {

        public AttackRun {
            norm = norm == null ? LINF : norm;
        }

        /** An attack run without its interval. */
        public AttackRun(String name, String norm, double eps, double robustAccuracy, double seconds,
                         Map<String, Object> params, String robust) {
            this(name, norm, eps, robustAccuracy, seconds, params, robust, null, null);
        }

        public AttackRun(String name, String norm, double eps, double robustAccuracy, double seconds,
                         Map<String, Object> params, String robust, List<Double> interval) {
            this(name, norm, eps, robustAccuracy, seconds, params, robust, interval, null);
        }

        public String budget() {
            return EvaluationReport.budget(norm, eps);
        }
    }

    /**
     * Robust accuracy at one budget when an example counts as robust only if nothing the evaluation found breaks it
     * there: no attack at that budget or a smaller one of the same norm, and no verified break of any other procedure
     * within the budget (the ε sweep, the unconstrained run's points clipped, an escalation, longer reruns, minimal-ε
     * searches, single draws). {@code robust} per example as in {@link AttackRun}, {@code interval} its exact 95%
     * interval; {@code foundBy}: how many of the breaks each procedure found first, in the order attacks, a smaller
     * ε, the ε sweep, the unconstrained run clipped, escalation, longer runs, minimal-ε searches, single draws (they
     * sum to the broken examples); {@code singleDraw}: for a randomized model, how it
     * fares as deployed ({@link SingleDraw}), else null. Each is absent in reports written before it.
     */
    public record WorstCase(String norm, double eps, double robustAccuracy, String robust, List<Double> interval,
                            Map<String, Integer> foundBy, SingleDraw singleDraw) {

        public WorstCase {
            norm = norm == null ? LINF : norm;
        }

        public WorstCase(String norm, double eps, double robustAccuracy) {
            this(norm, eps, robustAccuracy, null, null, null, null);
        }

        /** A worst case that does not say which procedure found its breaks (reports written before they did). */
        public WorstCase(String norm, double eps, double robustAccuracy, String robust, List<Double> interval) {
            this(norm, eps, robustAccuracy, robust, interval, null, null);
        }

        /** A worst case of a model whose outputs are not random. */
        public WorstCase(String norm, double eps, double robustAccuracy, String robust, List<Double> interval,
                         Map<String, Integer> foundBy) {
            this(norm, eps, robustAccuracy, robust, interval, foundBy, null);
        }

        /** The same worst case with its single-draw record. */
        public WorstCase withSingleDraw(SingleDraw record) {
            return new WorstCase(norm, eps, robustAccuracy, robust, interval, foundBy, record);
        }

        public String budget() {
            return EvaluationReport.budget(norm, eps);
        }
    }

    /**
     * A randomized model judged as deployed, at one budget: {@code draws} single forward passes at the clean image and
     * at a last attack's point; {@code expected} is the expected accuracy of one draw over all examples (0 for those
     * broken through EOT), with its 95% {@code interval}. The worst case's own figure is the strict one: robust only
     * when every draw was right.
     */
    public record SingleDraw(int draws, double expected, List<Double> interval) {
    }

    /** Robust accuracy under one attack at one ℓ∞ ε (the masking checks' PGD sweep and unbounded run). */
    public record RobustAt(double eps, double robustAccuracy) {
    }

    /**
     * Medians over correctly classified examples, the Table 1 correlation, and the distributions behind them.
     * The minimal-ε medians and the correlation keep examples no attack broke up to ε_max (see {@link MinimalEps});
     * {@code minimalEps} has the full censored summary per attack.
     */
    public record GapSummary(
            int examples,
            double logitGapMedian,
            double gradientGapL1Median,
            double predictedEpsMedian,
            double fgsmEpsMedian,
            double pgdEpsMedian,
            double spearmanPredictedVsFgsm,
            double gradientCosineMedian,
            double logitNormMedian,
            Map<String, Histogram> histograms,
            List<double[]> predictedVsFgsm,
            List<MinimalEps> minimalEps,
            List<double[]> predictedVsFmn) {
    }

    /**
     * One attack's per-example minimal ε in one norm, as a right-censored sample: {@code censored} examples were
     * not broken up to {@code maxEps}. Quantiles come from the Kaplan–Meier estimate and are null when they lie
     * above {@code maxEps}; Spearman's ρ with Eq. 4's prediction in the same norm ties the censored examples at
     * {@code maxEps}.
     */
    public record MinimalEps(String attack, String norm, double maxEps, int examples, int censored,
                             double censoredFraction, Double q25, Double median, Double q75,
                             double spearmanWithPredicted) {
    }

    /** Equal-width bins: {@code counts[i]} values fell in [edges[i], edges[i+1]). */
    public record Histogram(double[] edges, int[] counts) {
    }

    /** {@code suspected} when any check failed. */
    public record Masking(boolean suspected, List<Check> checks) {
    }

    /**
     * One indicator of attack failure or masking check; {@code detail} gives the numbers behind the verdict and
     * {@code fix} what was or should be done about it.
     */
    public record Check(String name, boolean passed, String detail, String fix) {

        public Check(String name, boolean passed, String detail) {
            this(name, passed, detail, null);
        }
    }
}
