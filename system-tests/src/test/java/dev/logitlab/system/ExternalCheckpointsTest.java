package dev.logitlab.system;

import dev.logitlab.cli.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Roles;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import java.io.FileReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints from other people's training loops on the real local stack: the PyTorch example uploads every epoch
 * and each gets a report equal, example by example, to {@code ./lab evaluate} of the same file; {@code ./lab submit}
 * of the same file again gets the same report, not a second one, and a broken model a failed report naming the check;
 * a producer that shares the store announces over Kafka with its own user, and that user reaches nothing else.
 */
class ExternalCheckpointsTest {

    static final String ATTACKS = "fgsm,pgd:steps=5";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void pyTorchCheckpointsAreJudgedLikeOurOwnByUploadAndByKafka() throws Exception {
        assumeTrue(pythonTorch(), "needs Debian's python3-torch (./lab test installs it as root)");
        StackConfig config = TestStacks.config(home, 1, 1);
        LocalStack stack = new LocalStack(config, new PrintWriter(new StringWriter(), true));
        try {
            stack.up();
            String token = stack.tokens().token("ci", Duration.ofMinutes(30), Roles.SUBMITTER);
            Path saved = home.resolve("epochs");
            Process example = new ProcessBuilder("/usr/bin/python3", config.repository()
                    .resolve("examples/pytorch/train_and_submit.py").toString(), "--run", "pytorch-ci", "--epochs", "2",
                    "--train-limit", "2000", "--eps", "0.1", "--attacks", ATTACKS, "--limit", "60", "--gaps", "10",
                    "--seed", "3", "--url", config.url("trainer"), "--token", token, "--save-dir", saved.toString())
                    .redirectErrorStream(true).start();
            String printed = new String(example.getInputStream().readAllBytes());
            assertTrue(example.waitFor(5, TimeUnit.MINUTES), printed);
            assertEquals(0, example.exitValue(), printed);

            for (int epoch = 1; epoch <= 2; epoch++) {
                JsonNode report = TestStacks.awaitReport(config.kafkaClient(), "pytorch-ci/step-00000" + epoch);
                assertTrue(report.has("report"), report.toString());
                assertEquals("torchscript", report.get("format").asText());
                assertEquals(epoch, report.get("epoch").asInt());
                assertEquals(outcomes(report.get("report")), outcomes(evaluate(saved.resolve("epoch-" + epoch + ".pt"))),
                        "epoch " + epoch + ": the services and ./lab evaluate judge every example alike");
            }

            // The same file again is the same checkpoint: 200, the same report, and no second report on the topic.
            StringWriter out = new StringWriter();
            int code = Lab.commandLine().setOut(new PrintWriter(out, true)).execute("submit",
                    saved.resolve("epoch-1.pt").toString(), "--run", "pytorch-ci", "--step", "1", "--dataset",
                    "fashion-mnist", "--eps", "0.1", "--attacks", ATTACKS, "--limit", "60", "--gaps", "10", "--seed", "3",
                    "--wait", "--timeout", "5m", "--token", token, "--trainer-url", config.url("trainer"),
                    "--analysis-url", config.url("analysis"));
            assertEquals(0, code, out.toString());
            assertTrue(out.toString().contains("already there: pytorch-ci/step-000001"), out.toString());
            assertTrue(out.toString().contains("fgsm"), "the report's table: " + out);
            assertEquals(1, published(config, "pytorch-ci/step-000001"), "one report for one checkpoint");

            // A model with the wrong number of classes: uploaded, then a failed report naming the check; exit 1.
            StringWriter err = new StringWriter();
            code = Lab.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter(), true))
                    .execute("submit", config.repository().resolve("core/src/test/resources/torchscript/wrong_classes.pt")
                            .toString(), "--run", "broken-ci", "--step", "1", "--dataset", "fashion-mnist", "--attacks",
                            "fgsm", "--limit", "20", "--wait", "--timeout", "5m", "--token", token, "--trainer-url",
                            config.url("trainer"), "--analysis-url", config.url("analysis"));
            assertEquals(1, code, err.toString());
            assertTrue(err.toString().contains("model check 'output-shape' failed"), err.toString());

            announcesOverKafkaWithItsOwnUserAndNothingElse(config, saved.resolve("epoch-2.pt"), token);
        } finally {
            stack.down();
        }
    }

    /**
     * A producer sharing the store: writes the file to the store's inbox, announces it as the producer user with its
     * token as the claim, reads its report; its Kafka user may write nothing else, logitlab.checkpoints included.
     */
    private void announcesOverKafkaWithItsOwnUserAndNothingElse(StackConfig config, Path model, String token)
            throws Exception {
        Properties producer = new Properties();
        try (FileReader reader = new FileReader(config.home().resolve("producer-client.properties").toFile())) {
            producer.load(reader);
        }
        Path file = config.store().resolve("inbox/kafka-ci-1.pt");
        Files.createDirectories(file.getParent());
        Files.copy(model, file);
        CheckpointCreated event = new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, "kafka-ci", "kafka-ci/step-000001",
                1, "file:inbox/kafka-ci-1.pt", Sha256.of(file), "c".repeat(64), 3, "fashion-mnist",
                "torchscript", "pytorch small-cnn", new RunSpec.Evaluation(List.of(0.1), ATTACKS, 60, 10), null,
                CheckpointCreated.TORCHSCRIPT, "test");
        assertEquals(List.of(), EventSchemas.violations(event));
        try (KafkaProducer<String, String> kafka = new KafkaProducer<>(producer, new StringSerializer(),
                new StringSerializer())) {
            ProducerRecord<String, String> announcement = new ProducerRecord<>(Topics.ANNOUNCEMENTS, event.runId(),
                    JSON.writeValueAsString(event));
            announcement.headers().add(Topics.CLAIM_HEADER, token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            kafka.send(announcement).get(30, TimeUnit.SECONDS);
            JsonNode report = TestStacks.awaitReport(producer, event.checkpointId());
            assertTrue(report.has("report"), report.toString());
            for (Topics.TopicSpec topic : Topics.ALL) {
                if (!topic.name().equals(Topics.ANNOUNCEMENTS)) {
                    var e = assertThrows(ExecutionException.class, () -> kafka.send(new ProducerRecord<>(topic.name(),
                            "k", "{}")).get(30, TimeUnit.SECONDS), topic.name());
                    assertInstanceOf(TopicAuthorizationException.class, e.getCause(), topic.name());
                }
            }
        }
        for (Topics.TopicSpec topic : Topics.ALL) {
            if (!topic.name().equals(Topics.REPORTS)) {
                Properties reader = new Properties();
                reader.putAll(producer);
                reader.put("group.id", "logitlab-producer-test-" + topic.name());
                try (KafkaConsumer<String, String> c = new KafkaConsumer<>(reader, new StringDeserializer(),
                        new StringDeserializer())) {
                    c.subscribe(List.of(topic.name()));
                    assertThrows(TopicAuthorizationException.class, () -> pollFor(c), topic.name());
                }
            }
        }
        Properties otherGroup = new Properties();
        otherGroup.putAll(producer);
        otherGroup.put("group.id", "analysis-service");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(otherGroup, new StringDeserializer(),
                new StringDeserializer())) {
            c.subscribe(List.of(Topics.REPORTS));
            assertThrows(GroupAuthorizationException.class, () -> pollFor(c), "another service's consumer group");
        }
    }

    /** ./lab evaluate of the file with the services' plan, seed and thread count (the local stack runs 1). */
    private JsonNode evaluate(Path model) throws Exception {
        Path out = home.resolve(model.getFileName() + ".json");
        int code = Lab.commandLine().setOut(new PrintWriter(new StringWriter(), true)).execute("evaluate", "--model",
                model.toString(), "--dataset", "fashion-mnist", "--limit", "60", "--eps", "0.1", "--attacks", ATTACKS,
                "--gaps", "10", "--seed", "3", "--threads", "1", "--json", out.toString());
        assertEquals(0, code);
        return JSON.readTree(out.toFile());
    }

    /** Each attack's per-example outcomes, by attack and budget, and the worst case per budget. */
    private static Map<String, String> outcomes(JsonNode report) {
        Map<String, String> outcomes = new TreeMap<>();
        for (JsonNode a : report.get("attacks")) {
            outcomes.put(a.get("name").asText() + "@" + a.get("norm").asText() + ":" + a.get("eps").asDouble(),
                    a.get("robust").asText());
        }
        for (JsonNode w : report.get("worstCase")) {
            outcomes.put("worst@" + w.get("norm").asText() + ":" + w.get("eps").asDouble(),
                    w.get("robustAccuracy").asText());
        }
        outcomes.put("clean", report.get("cleanAccuracy").asText());
        return outcomes;
    }

    /** How many published (not progress, not failed) reports the topic holds for a checkpoint. */
    private static long published(StackConfig config, String checkpointId) {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put("group.id", "count-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        long count = 0;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(Topics.REPORTS));
            long idle = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < idle) {
                for (var r : c.poll(Duration.ofMillis(500))) {
                    if (checkpointId.equals(r.key()) && r.value().contains("\"report\"")) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static void pollFor(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500));
        }
    }

    static boolean pythonTorch() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
