package dev.logitlab.core.sandbox;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.analysis.Binarization;
import dev.logitlab.core.analysis.GapStatisticsSummary;
import dev.logitlab.core.analysis.IncompleteOptimization;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.Escalation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.SingleDraws;
import dev.logitlab.core.evaluation.VerifiedBreaks;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.core.sandbox.WorkerProtocol.Answer;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A worker's answers, read as hostile input: the worker runs a model from outside, and a model that escaped into
 * native code could write anything. A line is bounded before it is parsed; its strings are either outcome strings
 * (the characters {@code x01-}) or names of ours ({@link #VOCABULARY}); every count is within what the request
 * allows and every outcome string as long as the examples it covers. Whatever fails is a
 * {@link ModelFailure.Cause#PROTOCOL} failure, and the worker is killed.
 */
final class WorkerAnswers {

    /** Far above the largest answer (an analysis of 10,000 examples is well under a MB). */
    static final int MAX_LINE = 4 << 20;
    /** Far above the stages of any request (an analysis has about ten). */
    static final int MAX_PROGRESS = 1000;

    /** The names each field may hold: what our code writes there, nothing else. */
    static final Set<String> STAGES = stages();
    static final Set<String> FEATURES = Set.of(Binarization.PENULTIMATE, Binarization.LOGITS);
    static final Set<String> SEARCHES = Set.of("fgsm", "pgd", "fmn");

    /** The strings an answer may hold besides outcome strings. */
    static final Set<String> VOCABULARY = vocabulary();

    private WorkerAnswers() {
    }

    private static Set<String> stages() {
        Set<String> stages = new HashSet<>(List.of(AnalysisPhase.PROBES, AnalysisPhase.BINARIZATION,
                AnalysisPhase.ESCALATION, AnalysisPhase.INCOMPLETE, AnalysisPhase.CHECKS, AnalysisPhase.SINGLE_DRAWS,
                "done"));
        stages.addAll(AnalysisPhase.GAP_STAGES);
        return Set.copyOf(stages);
    }

    private static Set<String> vocabulary() {
        Set<String> words = new HashSet<>(List.of(AnalysisPhase.PROBES, AnalysisPhase.BINARIZATION,
                AnalysisPhase.ESCALATION, AnalysisPhase.INCOMPLETE, AnalysisPhase.CHECKS, AnalysisPhase.SINGLE_DRAWS, "done",
                Binarization.PENULTIMATE, Binarization.LOGITS, "fgsm", "pgd", "fmn", "NaN", "Infinity", "-Infinity"));
        words.addAll(AnalysisPhase.GAP_STAGES);
        words.addAll(VerifiedBreaks.PROCEDURES);
        words.addAll(GapStatisticsSummary.HISTOGRAMS);
        words.addAll(ModelContract.CHECKS);
        for (Norm n : Norm.values()) {
            words.add(n.label());
        }
        for (ModelFailure.Cause c : ModelFailure.Cause.values()) {
            words.add(c.code());
        }
        return Set.copyOf(words);
    }

    /** The worker broke the protocol. */
    static final class Broken extends IOException {
        Broken(String what) {
            super(what);
        }
    }

    /** One line of at most {@link #MAX_LINE} bytes, without its newline; null when the stream ended. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            if (line.size() >= MAX_LINE) {
                throw new Broken("a line over " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** A line as an answer: exactly one field set, every string an outcome string or a word of ours. */
    static Answer parse(String line) throws Broken {
        try {
            JsonNode tree = WorkerProtocol.STRICT.readTree(line);
            if (tree == null || !tree.isObject()) {
                throw new Broken("not an object");
            }
            strings(tree);
            Answer answer = WorkerProtocol.STRICT.treeToValue(tree, Answer.class);
            if (tree.size() != 1) {
                throw new Broken("an answer with " + tree.size() + " fields");
            }
            return answer;
        } catch (JacksonException e) {
            throw new Broken("unreadable JSON");
        }
    }

    private static void strings(JsonNode node) throws Broken {
        if (node.isTextual() && !VOCABULARY.contains(node.textValue()) && !outcome(node.textValue(), "x01-")) {
            throw new Broken("a string that is neither an outcome nor a name of ours");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            strings(field.getValue());
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                strings(element);
            }
        }
    }

    private static boolean outcome(String s, String alphabet) {
        for (int i = 0; i < s.length(); i++) {
            if (alphabet.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static int draws(Integer draws) throws Broken {
        if (draws == null || draws != 1 && draws != ExpectationOverTransformation.DRAWS) {
            throw new Broken("draws");
        }
        return draws;
    }

    static WorkerProtocol.Progress progress(WorkerProtocol.Progress p, int sent) throws Broken {
        require(sent < MAX_PROGRESS && STAGES.contains(p.stage()) && p.done() >= 0 && p.done() <= p.total()
                && p.total() <= MAX_PROGRESS, "progress");
        return p;
    }

    static String violation(String check) throws Broken {
        if (!ModelContract.CHECKS.contains(check)) {
            throw new Broken("a check that does not exist");
        }
        return check;
    }

    static ShardOutcome outcome(ShardOutcome o, ShardPlan plan, ShardPlan.Shard shard) throws Broken {
        int n = shard.to() - shard.from();
        require(o != null && o.shard() == shard.index(), "an outcome of another shard");
        outcomeString(o.robust(), n, "x01");
        seconds(o.seconds());
        passes(o.passes());
        if (shard.kind() == ShardPlan.Kind.CASCADE) {
            require(o.cascade() != null && o.cascade().size() == plan.chain(shard.norm()).size(), "a cascade's stages");
            for (ShardOutcome.Stage s : o.cascade()) {
                outcomeString(s.robust(), n, "x01-");
                seconds(s.seconds());
                passes(s.passes());
            }
            require(Passes.sum(o.cascade().stream().map(ShardOutcome.Stage::passes).toList()).equals(o.passes()),
                    "cascade stages that do not add up to their shard");
        } else {
            require(o.cascade() == null, "cascade stages of a single attack");
        }
        if (shard.kind() == ShardPlan.Kind.UNBOUNDED) {
            require(o.clipped() != null && o.clipped().size() == plan.plan().budgets().size(),
                    "clipped outcomes of other budgets");
            for (String c : o.clipped()) {
                outcomeString(c, n, "x01");
            }
        } else {
            require(o.clipped() == null, "clipped outcomes of an attack");
        }
        return o;
    }

    static ModelMeasurements measurements(ModelMeasurements m, int examples) throws Broken {
        require(m != null && m.probes() != null && m.timeline() != null, "measurements without their parts");
        outcomeString(m.correct(), examples, "1x");
        require(m.probes().zeroGradients() >= 0 && m.probes().zeroGradients() <= examples
                && m.probes().probabilityRows() >= 0 && m.probes().probabilityRows() <= 1
                && !(m.probes().outputVariation() < 0), "probes out of range");
        EvaluationReport.GapSummary g = m.gaps();
        if (g != null) {
            require(g.examples() >= 0 && g.examples() <= examples, "gap examples");
            require(g.histograms() != null && GapStatisticsSummary.HISTOGRAMS.containsAll(g.histograms().keySet()),
                    "histograms");
            for (EvaluationReport.Histogram h : g.histograms().values()) {
                require(h != null && h.edges() != null && h.counts() != null
                        && h.counts().length <= GapStatisticsSummary.BINS
                        && h.edges().length == (h.counts().length == 0 ? 0 : h.counts().length + 1)
                        && java.util.Arrays.stream(h.edges()).allMatch(Double::isFinite)
                        && java.util.Arrays.stream(h.counts()).allMatch(c -> c >= 0 && c <= examples), "a histogram's bins");
            }
            for (List<double[]> pairs : java.util.Arrays.asList(g.predictedVsFgsm(), g.predictedVsFmn())) {
                require(pairs == null || pairs.size() <= examples && pairs.stream().allMatch(p -> p != null && p.length == 2),
                        "pairs");
            }
            require(g.minimalEps() == null || g.minimalEps().size() <= 4 && g.minimalEps().stream().allMatch(e -> e != null
                    && SEARCHES.contains(e.attack()) && (Norm.LINF.label().equals(e.norm()) || Norm.L2.label().equals(e.norm()))
                    && e.examples() >= 0 && e.examples() <= examples && e.censored() >= 0 && e.censored() <= e.examples()
                    && e.censoredFraction() >= 0 && e.censoredFraction() <= 1), "minimal-ε summaries");
        }
        require(m.found() == null || m.found().size() <= 4 && m.found().stream().allMatch(f -> found(f, examples,
                VerifiedBreaks.SEARCHES)), "a search's breaks");
        Binarization.Result b = m.binarization();
        require(b == null || 0 <= b.passed() && b.passed() <= b.valid() && b.valid() <= b.examples()
                && b.examples() <= Binarization.EXAMPLES && FEATURES.contains(b.features()), "binarization counts");
        timeline(m.timeline());
        return m;
    }

    /** {@code draws}: the session's, more than 1 when the attacks judged through EOT (then single draws are due). */
    static AnalysisPhase.Findings findings(AnalysisPhase.Findings f, AttackResults results, EvaluationPlan plan,
                                           int draws) throws Broken {
        require(f != null && f.measured() != null && f.timeline() != null, "findings without their parts");
        measurements(f.measured(), results.examples());
        require(f.measured().madeOn(results.clean()), "measurements on other examples than the attacks'");
        if (f.escalation() != null) {
            require(f.escalation().size() == results.worstCase().size(), "an escalation of other budgets");
            for (Escalation.Outcome o : f.escalation()) {
                require(o != null, "an empty escalation");
                outcomeString(o.robust(), results.examples(), "x01");
                seconds(o.seconds());
            }
        }
        // What the later stages saw, computed here: the worker's own counts are checked against it.
        AttackResults escalated = AnalysisPhase.escalated(results, f.escalation());
        int[] chosen = AnalysisPhase.incompleteProbe(escalated, plan.eps().get(plan.eps().size() - 1));
        IncompleteOptimization.Result i = f.incomplete();
        if (chosen == null || chosen.length == 0) {
            require(i == null, "longer runs on nothing left robust");
        } else {
            require(i != null && i.probed() == chosen.length && 0 <= i.brokenByLongerRun()
                    && i.brokenByLongerRun() <= i.stillImproving() && i.stillImproving() <= i.probed()
                    && i.broken() != null && i.broken().length == i.brokenByLongerRun()
                    && IntStream.range(0, i.broken().length).allMatch(k -> i.broken()[k] >= 0
                    && i.broken()[k] < i.probed() && (k == 0 || i.broken()[k] > i.broken()[k - 1])), "longer-run counts");
        }
        require((draws > 1) == (f.singleDraws() != null), "single draws for a model that " + (draws > 1
                ? "is random" : "is not random"));
        if (f.singleDraws() != null) {
            require(f.singleDraws().size() == escalated.worstCase().size(), "single draws of other budgets");
            for (int b = 0; b < f.singleDraws().size(); b++) {
                SingleDraws.Outcome o = f.singleDraws().get(b);
                EvaluationReport.WorstCase w = escalated.worstCase().get(b);
                require(o != null && o.norm() != null && o.norm().equals(w.norm()) && o.eps() == w.eps()
                        && o.draws() == plan.singleDraws() && counts(o.right(), o.draws(), w.robust())
                        && counts(o.clean(), o.draws(), w.robust()), "single draws");
            }
        }
        timeline(f.timeline());
        return f;
    }

    /** Per example a count of right draws for each example left robust ('1'), −1 for every other one. */
    private static boolean counts(int[] right, int draws, String robust) {
        return right != null && right.length == robust.length() && IntStream.range(0, right.length).allMatch(i ->
                robust.charAt(i) == '1' ? right[i] >= 0 && right[i] <= draws : right[i] == -1);
    }

    /** A procedure's breaks: its own name, a norm, one budget per example, each none or in [0, the search's limit]. */
    private static boolean found(VerifiedBreaks.Found f, int examples, String procedure) {
        return f != null && procedure.equals(f.procedure()) && (Norm.LINF.label().equals(f.norm())
                || Norm.L2.label().equals(f.norm())) && f.eps() != null && f.eps().length == examples
                && IntStream.range(0, examples).allMatch(i -> f.eps()[i] == VerifiedBreaks.NONE
                || f.eps()[i] >= 0 && f.eps()[i] <= AnalysisPhase.SEARCH_MAX_EPS_L2);
    }

    private static void timeline(List<EvaluationReport.Stage> timeline) throws Broken {
        require(timeline.size() <= 16, "a timeline of " + timeline.size() + " stages");
        for (EvaluationReport.Stage s : timeline) {
            require(s != null && STAGES.contains(s.name()), "a stage of its own");
            seconds(s.seconds());
            passes(s.passes());
        }
    }

    /** Counts of our own making, so present; bounded (they are only as honest as the model, like its outcomes). */
    private static void passes(Passes p) throws Broken {
        require(p != null && p.forward() <= MAX_PASSES, "passes");
    }

    private static void outcomeString(String s, int length, String alphabet) throws Broken {
        require(s != null && s.length() == length && outcome(s, alphabet), "an outcome string of the wrong length or alphabet");
    }

    /** More example-passes than any plan within the cost limits makes; the schemas' bound too. */
    static final long MAX_PASSES = 1_000_000_000_000_000L;

    private static void seconds(double s) throws Broken {
        require(Double.isFinite(s) && s >= 0, "seconds");
    }

    private static void require(boolean ok, String what) throws Broken {
        if (!ok) {
            throw new Broken(what);
        }
    }
}
