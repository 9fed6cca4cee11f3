package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard that kills the replica running it, every time: the attack replica halts (as a native crash would) whenever
 * it starts an FGSM shard, and is started again each time, as Kubernetes would. After {@code max-attempts} starts
 * without a result the shard fails with that reason, the evaluation ends once as {@code report.failed} naming it, and
 * the replica goes on living.
 */
class PoisonShardTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUN = """
            {"dataset":"fashion-mnist","model":"small-cnn","defense":"plain","epochs":1,"trainLimit":500,"testLimit":100,
             "batchSize":100,"learningRate":0.002,"seed":3,
             "evaluation":{"eps":[0.1],"attacks":"fgsm,pgd:steps=3","limit":40,"gapLimit":0}}""";

    @TempDir
    Path home;

    @Test
    void aShardThatKillsEveryReplicaEndsTheEvaluationOnceWithTheReason() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        Map<String, String> poison = Map.of("LOGITLAB_FAULTS_HALT_ON_ATTACK", "fgsm");
        try {
            stack.up();
            stack.stop("attack-1");
            stack.start(config.component("attack-1"), poison);
            stack.awaitReady(config.component("attack-1"));
            String checkpoint = submit(config) + "/epoch-001";

            int deaths = 0;
            List<JsonNode> outcomes = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            try (KafkaConsumer<String, String> reports = consumer(config)) {
                reports.subscribe(List.of("logitlab.reports"));
                long quietUntil = Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    for (ConsumerRecord<String, String> r : reports.poll(Duration.ofSeconds(1))) {
                        JsonNode value = JSON.readTree(r.value());
                        if (r.key().equals(checkpoint) && !value.has("progress")) {
                            outcomes.add(value);
                            quietUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                        }
                    }
                    if (!stack.alive("attack-1") && outcomes.isEmpty()) {
                        deaths++;
                        stack.start(config.component("attack-1"), poison);
                    }
                }
            }
            assertEquals(1, outcomes.size(), "one outcome for the checkpoint; stack log:\n" + log);
            String reason = outcomes.get(0).path("reason").asText();
            assertTrue(reason.contains("started 3 times and never ended"), outcomes.get(0).toString());
            assertTrue(reason.contains("fgsm"), reason);
            assertEquals(3, deaths, "each of the three attempts took the replica down, the fourth start failed the shard");
            assertTrue(stack.alive("attack-1"), "the replica lives on once the shard has failed");
        } finally {
            stack.down();
        }
    }

    private static String submit(StackConfig config) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(config.url("trainer") + "/api/runs")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + new dev.logitlab.cli.stack.LocalTokens(config.home()).token("poison",
                        Duration.ofMinutes(30), dev.logitlab.events.Roles.SUBMITTER))
                .POST(HttpRequest.BodyPublishers.ofString(RUN)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("runId").asText();
    }

    private static KafkaConsumer<String, String> consumer(StackConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
