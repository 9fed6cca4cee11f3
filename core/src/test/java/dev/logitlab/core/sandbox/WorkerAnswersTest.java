package dev.logitlab.core.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.logitlab.core.analysis.IncompleteOptimization;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.SingleDraws;
import dev.logitlab.core.evaluation.VerifiedBreaks;
import dev.logitlab.events.ShardOutcome;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a worker sends back is read as a compromised worker would write it: only outcome strings and names of ours,
 * counts within what was asked, lines of bounded length.
 */
class WorkerAnswersTest {

    static final EvaluationPlan PLAN = new EvaluationPlan(List.of(0.1), "fgsm", 10, 0, 0);
    static final ShardPlan SHARDS = new ShardPlan(PLAN, AttackSuite.parse("fgsm", null, Norm.LINF), 10);

    @Test
    void anHonestOutcomeIsRead() throws Exception {
        var answer = WorkerAnswers.parse("{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":0.5,"
                + "\"passes\":{\"forward\":40,\"backward\":10}}}");
        ShardOutcome outcome = WorkerAnswers.outcome(answer.outcome(), SHARDS, SHARDS.shard(0));
        assertEquals("x01x01x01x", outcome.robust());
        assertEquals(new dev.logitlab.events.Passes(40, 10), outcome.passes());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"error\":\"<script>alert(1)</script>\"}",                                         // a string of its own
        "{\"progress\":{\"stage\":\"k3y-0f-an0ther-tenant\",\"done\":1,\"total\":2}}",    // one spelled in a stage
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01\",\"seconds\":0.5}}",                  // too short for the shard
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":0.5,\"note\":1}}", // a field we do not know
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":-1}}",            // negative time
        "{\"outcome\":{\"shard\":3,\"robust\":\"x01x01x01x\",\"seconds\":1}}",             // another shard
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":1}}",             // no passes counted
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":1,\"passes\":{\"forward\":1,\"backward\":2}}}",
        "{\"done\":true,\"draws\":1}",                                                     // two answers in one
        "[1,2,3]",
        "{\"outcome\":",
    })
    void anythingElseBreaksTheProtocol(String line) {
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.outcome(WorkerAnswers.parse(line).outcome(),
                SHARDS, SHARDS.shard(0)));
    }

    @Test
    void breaksAndSingleDrawsAreCheckedAgainstTheRequest() throws Exception {
        var results = new dev.logitlab.events.AttackResults("m", "d", 10, 0, "x111111111", List.of(),
                List.of(new dev.logitlab.events.EvaluationReport.WorstCase("linf", 0.1, 0.5, "x111100000", null)),
                List.of(), new dev.logitlab.events.EvaluationReport.RobustAt(1, 0));
        float[] none = new float[10];
        java.util.Arrays.fill(none, VerifiedBreaks.NONE);
        int[] right = {-1, 10, 10, 9, 0, -1, -1, -1, -1, -1};
        java.util.function.BiFunction<float[], int[], AnalysisPhase.Findings> findings = (eps, draws) ->
                new AnalysisPhase.Findings(new ModelMeasurements("x111111111", new ModelMeasurements.Probes(0, 0, 0),
                        null, null, List.of(), List.of(new VerifiedBreaks.Found(VerifiedBreaks.SEARCHES, "linf", eps))),
                        null, null, List.of(), List.of(new SingleDraws.Outcome("linf", 0.1, 10, draws, draws)));
        assertEquals(10, WorkerAnswers.findings(findings.apply(none, right), results, PLAN, 20).singleDraws().get(0)
                .draws());
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(findings.apply(none, right), results,
                PLAN, 1), "single draws from a model that is not random");
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(new AnalysisPhase.Findings(
                findings.apply(none, right).measured(), null, null, List.of()), results, PLAN, 20),
                "a random model's single draws skipped");
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(findings.apply(none,
                new int[] {-1, 10, 10, 9, 0, 10, -1, -1, -1, -1}), results, PLAN, 20), "draws at a broken example");
        float[] huge = none.clone();
        huge[3] = 1e9f;
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(findings.apply(huge, right), results,
                PLAN, 20), "a break beyond any search's limit");
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(findings.apply(none,
                new int[] {-1, 11, 0, 0, 0, -1, -1, -1, -1, -1}), results, PLAN, 20), "more right draws than were asked");
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(findings.apply(new float[3], right),
                results, PLAN, 20), "breaks of three examples of ten");
        // Longer runs on what the host knows was left robust, not on what the worker says it probed.
        var pgd = new dev.logitlab.events.EvaluationReport.AttackRun("pgd", "linf", 0.1, 0.3, 1, java.util.Map.of(),
                "x111000000");
        var withPgd = new dev.logitlab.events.AttackResults("m", "d", 10, 0, "x111111111", List.of(pgd),
                results.worstCase(), List.of(), results.unbounded());
        java.util.function.Function<IncompleteOptimization.Result, AnalysisPhase.Findings> longer = r ->
                new AnalysisPhase.Findings(findings.apply(none, right).measured(), null, r, List.of(),
                        findings.apply(none, right).singleDraws());
        assertEquals(3, WorkerAnswers.findings(longer.apply(new IncompleteOptimization.Result(3, 1, 1, new int[] {2})),
                withPgd, PLAN, 20).incomplete().probed());
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(longer.apply(
                new IncompleteOptimization.Result(100, 100, 1, new int[] {99})), withPgd, PLAN, 20),
                "an index past the three examples left robust");
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.findings(longer.apply(null), withPgd, PLAN, 20),
                "longer runs skipped");
    }

    @Test
    void aLineIsBoundedBeforeItIsParsed() {
        byte[] endless = new byte[WorkerAnswers.MAX_LINE + 10];
        java.util.Arrays.fill(endless, (byte) '1');
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.readLine(new ByteArrayInputStream(endless)));
        assertEquals("{}", assertDoesNotThrowLine("{}\nrest"));
    }

    private static String assertDoesNotThrowLine(String text) {
        try {
            return WorkerAnswers.readLine(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
