package dev.logitlab.core.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
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
        var answer = WorkerAnswers.parse("{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":0.5}}");
        ShardOutcome outcome = WorkerAnswers.outcome(answer.outcome(), SHARDS, SHARDS.shard(0));
        assertEquals("x01x01x01x", outcome.robust());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"error\":\"<script>alert(1)</script>\"}",                                         // a string of its own
        "{\"progress\":{\"stage\":\"k3y-0f-an0ther-tenant\",\"done\":1,\"total\":2}}",    // one spelled in a stage
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01\",\"seconds\":0.5}}",                  // too short for the shard
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":0.5,\"note\":1}}", // a field we do not know
        "{\"outcome\":{\"shard\":0,\"robust\":\"x01x01x01x\",\"seconds\":-1}}",            // negative time
        "{\"outcome\":{\"shard\":3,\"robust\":\"x01x01x01x\",\"seconds\":1}}",             // another shard
        "{\"done\":true,\"draws\":1}",                                                     // two answers in one
        "[1,2,3]",
        "{\"outcome\":",
    })
    void anythingElseBreaksTheProtocol(String line) {
        assertThrows(WorkerAnswers.Broken.class, () -> WorkerAnswers.outcome(WorkerAnswers.parse(line).outcome(),
                SHARDS, SHARDS.shard(0)));
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
