package dev.logitlab.system;

import dev.logitlab.cli.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack knows its own shape: started with 2 attack and 2 analysis replicas on free ports, {@code ./lab stack status
 * --json} given only its home lists all six processes with pids and ready health, the broker included; a replica
 * killed with SIGKILL is then listed as not alive.
 */
class StackStatusTest {

    @TempDir
    Path home;

    @Test
    void statusListsEveryReplicaAsStartedWithoutBeingToldTheShape() throws Exception {
        StackConfig config = TestStacks.config(home, 2, 2);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.up();
            Map<String, JsonNode> processes = status();
            assertEquals(List.of("analysis-1", "analysis-2", "attack-1", "attack-2", "kafka", "trainer"),
                    processes.keySet().stream().sorted().toList(), processes.toString());
            for (JsonNode p : processes.values()) {
                assertTrue(p.get("pid").asLong() > 0, p.toString());
                assertTrue(p.get("alive").asBoolean(), p.toString());
                assertEquals("ready", p.get("health").asText(), p.toString());
                assertTrue(p.hasNonNull("startedAt"), p.toString());
            }
            assertEquals(2, processes.get("attack-2").get("replica").asInt());
            assertEquals(config.attackPort() + 10, processes.get("attack-2").get("port").asInt());
            assertEquals(config.kafkaPort(), processes.get("kafka").get("port").asInt());

            long pid = processes.get("attack-2").get("pid").asLong();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            JsonNode killed = status().get("attack-2");
            assertFalse(killed.get("alive").asBoolean(), killed.toString());
            assertTrue(!killed.get("health").asText().equals("ready"), killed.toString());
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log, e);
        } finally {
            stack.down();
        }
    }

    /** {@code ./lab stack status --json --home <home>}: no ports, no replica counts. */
    private Map<String, JsonNode> status() throws Exception {
        StringWriter out = new StringWriter();
        Lab.commandLine().setOut(new PrintWriter(out, true)).execute("stack", "status", "--json", "--home",
                home.toString());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode p : new ObjectMapper().readTree(out.toString()).get("processes")) {
            byName.put(p.get("name").asText(), p);
        }
        return byName;
    }
}
