package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Torch;
import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The promise under faults: with 2 attack and 2 analysis replicas on a real broker, an attack replica and an
 * analysis replica are killed with SIGKILL mid-evaluation and the broker is killed and restarted; every
 * checkpoint still gets exactly one report, equal in every number to an evaluation of the same checkpoint in one
 * process without any fault.
 */
class FaultInjectionTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final EvaluationPlan PLAN = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=10,square:queries=200,noise:draws=5",
            200, 0, 20);
    static final String RUN = """
            {"dataset":"fashion-mnist","model":"small-cnn","defense":"%s","epochs":2,"trainLimit":1000,"testLimit":200,
             "batchSize":100,"learningRate":0.002,"seed":%d,
             "evaluation":{"eps":[0.1],"attacks":"%s","limit":%d,"gapLimit":%d}}""";

    @TempDir
    Path home;

    @Test
    void everyCheckpointGetsExactlyOneReportThroughKillsAndABrokerRestart() throws Exception {
        StackConfig config = TestStacks.config(home, 2, 2);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        int kills = 0;
        int restarts = 0;
        try {
            stack.up();
            Map<String, Long> seeds = new java.util.LinkedHashMap<>();
            for (String[] run : new String[][] {{"plain", "1"}, {"ls=0.5,gn=0.3", "2"}}) {
                long seed = Long.parseLong(run[1]);
                String runId = submit(config, RUN.formatted(run[0], seed, PLAN.attacks(), PLAN.limit(), PLAN.gapLimit()));
                seeds.put(runId + "/epoch-001", seed);
                seeds.put(runId + "/epoch-002", seed);
            }
            List<String> checkpoints = List.copyOf(seeds.keySet());
            // Strike while the shards (about 20 a checkpoint) are being attacked and merged.
            awaitRecords(config, "logitlab.attack-results", 10);
            stack.kill("attack-1");
            kills++;
            awaitRecords(config, "logitlab.attack-results", 25);
            stack.kill("analysis-1");
            kills++;
            awaitRecords(config, "logitlab.attack-results", 35);
            stack.kill("kafka");
            stack.startBroker();
            restarts++;
            stack.start(config.component("attack-1"));
            stack.start(config.component("analysis-1"));

            Map<String, List<JsonNode>> reports = awaitReports(config, checkpoints, Duration.ofMinutes(8));
            int duplicates = 0;
            int lost = 0;
            for (String checkpoint : checkpoints) {
                int n = reports.getOrDefault(checkpoint, List.of()).size();
                duplicates += Math.max(0, n - 1);
                lost += n == 0 ? 1 : 0;
            }
            // Records of transactions the faults cut short are on the log but never committed: the difference shows it.
            int written = count(config, "logitlab.attack-results", "read_uncommitted");
            int committed = count(config, "logitlab.attack-results", "read_committed");
            System.out.printf("fault injection: checkpoints %d, kills %d, broker restarts %d, reports %d, duplicates %d, "
                    + "lost %d; shard results committed %d, written but aborted %d%n", checkpoints.size(), kills, restarts,
                    reports.values().stream().mapToInt(List::size).sum(), duplicates, lost, committed, written - committed);
            int shards = dev.logitlab.core.evaluation.AttackPhase.plan(PLAN, Datasets.load("fashion-mnist", null).test())
                    .shards().size();
            assertEquals(checkpoints.size() * shards, committed, "every shard's result committed exactly once");
            assertEquals(0, lost, "lost reports; stack log:\n" + log);
            assertEquals(0, duplicates, "duplicate reports");

            Torch.threads(1); // as the services run, so that float sums add up in the same order
            for (String checkpoint : checkpoints) {
                JsonNode published = reports.get(checkpoint).get(0);
                assertTrue(published.has("report"), checkpoint + " failed: " + published);
                assertSameNumbers(inOneProcess(config, checkpoint, seeds.get(checkpoint)), JSON.treeToValue(published.get("report"),
                        EvaluationReport.class), checkpoint);
            }
        } finally {
            stack.down();
        }
    }

    /** The evaluation of a checkpoint in this JVM, with the plan and seed the run was submitted with. */
    private static EvaluationReport inOneProcess(StackConfig config, String checkpointId, long seed) {
        EvaluationPlan plan = new EvaluationPlan(PLAN.eps(), PLAN.attacks(), PLAN.limit(), seed, PLAN.gapLimit());
        try (Classifier model = Classifiers.open(config.store().resolve("runs").resolve(checkpointId))) {
            return new Evaluation(model, Datasets.load("fashion-mnist", null).test(), plan, null, null).run(checkpointId);
        }
    }

    private static void assertSameNumbers(EvaluationReport expected, EvaluationReport actual, String checkpoint) {
        assertEquals(expected.cleanAccuracy(), actual.cleanAccuracy(), checkpoint);
        assertEquals(expected.worstCase(), actual.worstCase(), checkpoint);
        assertEquals(expected.attacks().size(), actual.attacks().size(), checkpoint);
        for (int i = 0; i < expected.attacks().size(); i++) {
            assertEquals(expected.attacks().get(i).robust(), actual.attacks().get(i).robust(),
                    checkpoint + " " + expected.attacks().get(i).name());
        }
        assertEquals(expected.masking(), actual.masking(), checkpoint);
        assertEquals(expected.gaps().logitGapMedian(), actual.gaps().logitGapMedian(), 1e-9, checkpoint);
        assertEquals(expected.gaps().gradientGapL1Median(), actual.gaps().gradientGapL1Median(), 1e-6, checkpoint);
    }

    private static String submit(StackConfig config, String body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(config.url("trainer") + "/api/runs")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + new dev.logitlab.cli.stack.LocalTokens(config.home()).token("faults",
                        java.time.Duration.ofMinutes(30), dev.logitlab.events.Roles.SUBMITTER))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("runId").asText();
    }

    /** Waits until a topic holds at least {@code n} records (committed or not: this only times the faults). */
    private static void awaitRecords(StackConfig config, String topic, int n) {
        try (KafkaConsumer<String, String> consumer = consumer(config, "read_uncommitted")) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen < n) {
                assertTrue(System.nanoTime() < deadline, "only " + seen + " records on " + topic);
                seen += consumer.poll(Duration.ofMillis(500)).count();
            }
        }
    }

    /** The records on a topic as a consumer with this isolation level sees them. */
    private static int count(StackConfig config, String topic, String isolation) {
        try (KafkaConsumer<String, String> consumer = consumer(config, isolation)) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            int empty = 0;
            while (empty < 5) {
                int n = consumer.poll(Duration.ofSeconds(1)).count();
                seen += n;
                empty = n == 0 ? empty + 1 : 0;
            }
            return seen;
        }
    }

    /** Every committed report of the checkpoints, once all have one and a few more seconds showed no other. */
    private static Map<String, List<JsonNode>> awaitReports(StackConfig config, List<String> checkpoints, Duration timeout)
            throws Exception {
        Map<String, List<JsonNode>> reports = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer(config, "read_committed")) {
            consumer.subscribe(List.of("logitlab.reports"));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                try {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                        JsonNode value = JSON.readTree(record.value());
                        if (!value.has("progress")) { // progress comes before the one outcome that counts
                            reports.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(value);
                        }
                    }
                } catch (org.apache.kafka.common.errors.RetriableException e) {
                    // the broker is restarting
                }
                if (quietUntil == Long.MAX_VALUE && reports.keySet().containsAll(checkpoints)) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                }
            }
        }
        return reports;
    }

    private static KafkaConsumer<String, String> consumer(StackConfig config, String isolation) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "faults-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
