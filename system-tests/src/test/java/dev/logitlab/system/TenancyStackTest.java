package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Roles;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import java.io.FileReader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenancy suite on the whole local stack: alice has an uploaded run and a trained one; mallory, another submitter,
 * and a producer holding mallory's token try every way in to them. Every attempt is refused, nothing of alice's
 * changes (her report byte for byte, her run, her checkpoints), and the services stay ready.
 */
class TenancyStackTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path FIXTURES = Path.of("../core/src/test/resources/torchscript");
    static final String PLAN = "&dataset=synthetic&attacks=fgsm&limit=30&gaps=5&eps=0.1";

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anotherSubmitterAndAProducerCannotTouchAnothersRuns() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.up();
            String alice = stack.tokens().token("alice", Duration.ofMinutes(20), Roles.SUBMITTER, Roles.VIEWER);
            String mallory = stack.tokens().token("mallory", Duration.ofMinutes(20), Roles.SUBMITTER, Roles.VIEWER);
            String trainer = config.url("trainer");
            String analysis = config.url("analysis");
            byte[] model = Files.readAllBytes(FIXTURES.resolve("synthetic_linear.pt"));

            // alice's two runs: an upload in her namespace, and a run the trainer trains
            assertEquals(201, upload(trainer, alice, "alice~ci", 1, model).statusCode());
            TestStacks.awaitReport(config.kafkaClient(), "alice~ci/step-000001");
            String report = get(analysis + "/api/reports/alice~ci/step-000001", alice).body();
            HttpResponse<String> submitted = send(HttpRequest.newBuilder(URI.create(trainer + "/api/runs"))
                    .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"dataset":"synthetic","model":"linear","epochs":1,"batchSize":50,"learningRate":0.01,
                             "seed":3,"evaluation":{"eps":[0.1],"attacks":"fgsm","limit":30,"gapLimit":5}}""")));
            assertEquals(202, submitted.statusCode(), submitted.body());
            String trained = JSON.readTree(submitted.body()).get("runId").asText();

            // mallory over REST
            List<String> refused = new ArrayList<>();
            refused.add(expect(403, upload(trainer, mallory, "alice~ci", 2, model), "a step on alice's run"));
            refused.add(expect(403, upload(trainer, mallory, "alice~nightly", 1, model), "a name in alice's namespace"));
            refused.add(expect(403, send(HttpRequest.newBuilder(URI.create(trainer + "/api/runs/" + trained))
                    .header("Authorization", "Bearer " + mallory).DELETE()), "cancelling alice's run"));
            refused.add(expect(409, upload(trainer, mallory, trained, 1, model), "an upload under a trained run's id"));
            refused.add(expect(429, openStreams(analysis, mallory, 5), "a fifth live connection"));
            refused.add(expect(400, get(analysis + "/api/reports?limit=100000", mallory), "a page of everything"));

            // a producer with mallory's token, and the producer's own Kafka user
            Properties producer = new Properties();
            try (FileReader reader = new FileReader(config.home().resolve("producer-client.properties").toFile())) {
                producer.load(reader);
            }
            Path inbox = config.store().resolve("inbox");
            Files.createDirectories(inbox);
            Files.write(inbox.resolve("m.pt"), model);
            try (KafkaProducer<String, String> kafka = new KafkaProducer<>(producer, new StringSerializer(),
                    new StringSerializer())) {
                announce(kafka, announcement("alice~ci", 3, Sha256.of(model)), mallory);
                announce(kafka, announcement("alice~ci", 4, Sha256.of(model)), null);
                announce(kafka, announcement("alice~ci", 5, "0".repeat(64)), alice);
                var direct = assertThrows(ExecutionException.class, () -> kafka.send(new ProducerRecord<>(
                        Topics.CHECKPOINTS, "alice~ci", JSON.writeValueAsString(announcement("alice~ci", 6,
                                Sha256.of(model))))).get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, direct.getCause(), "logitlab.checkpoints");
                refused.add("a producer writing logitlab.checkpoints");
            }
            List<String> reasons = deadLetters(config, 3);
            assertTrue(reasons.stream().anyMatch(r -> r.contains("namespace of subject alice")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("carries its producer's token")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("announced SHA-256")), reasons.toString());
            refused.add("three announcements");

            // nothing of alice's changed
            assertEquals(report, get(analysis + "/api/reports/alice~ci/step-000001", alice).body(), "her report");
            for (int step = 2; step <= 6; step++) {
                assertEquals(404, get(trainer + "/api/checkpoints/alice~ci/" + step, alice).statusCode(), "step " + step);
            }
            JsonNode run = JSON.readTree(get(trainer + "/api/runs/" + trained, alice).body());
            assertFalse(run.get("status").asText().equals("CANCELLED"), run.toString());
            for (String service : List.of("trainer", "attack", "analysis")) {
                assertEquals(200, get(config.url(service) + "/q/health/ready", null).statusCode(), service);
            }
            System.out.printf("tenancy stack: %d attempts on another's runs, all refused; her report unchanged%n",
                    refused.size());
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log, e);
        } finally {
            stack.down();
        }
    }

    private HttpResponse<String> upload(String trainer, String token, String runId, int step, byte[] model)
            throws Exception {
        return send(HttpRequest.newBuilder(URI.create(trainer + "/api/checkpoints?runId=" + runId + "&step=" + step
                        + PLAN)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(model)));
    }

    /** Opens {@code n} live connections as one subject; the answer to the last (the others are held open until then). */
    private HttpResponse<String> openStreams(String analysis, String token, int n) throws Exception {
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int i = 1; i < n; i++) {
                HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(analysis + "/api/stream"))
                        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stream.statusCode(), "connection " + i);
                open.add(stream);
            }
            return get(analysis + "/api/stream", token);
        } finally {
            for (HttpResponse<InputStream> stream : open) {
                stream.body().close();
            }
        }
    }

    private static String expect(int status, HttpResponse<String> response, String attempt) {
        assertEquals(status, response.statusCode(), attempt + ": " + response.body());
        return attempt;
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CheckpointCreated announcement(String runId, int step, String sha256) {
        return new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, runId, String.format("%s/step-%06d", runId, step),
                step, "file:inbox/m.pt", sha256, "c".repeat(64), 3, "synthetic", "torchscript", "forged",
                new RunSpec.Evaluation(List.of(0.1), "fgsm", 30, 5), null, CheckpointCreated.TORCHSCRIPT,
                CheckpointCreated.TEST_SPLIT);
    }

    private static void announce(KafkaProducer<String, String> kafka, CheckpointCreated event, String token)
            throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ANNOUNCEMENTS, event.runId(),
                JSON.writeValueAsString(event));
        if (token != null) {
            record.headers().add(Topics.CLAIM_HEADER, token.getBytes(StandardCharsets.UTF_8));
        }
        kafka.send(record).get(30, TimeUnit.SECONDS);
    }

    /** The reasons of the trainer's dead letters, once {@code n} are there (read as the stack's admin). */
    private static List<String> deadLetters(StackConfig config, int n) {
        Properties p = config.kafkaClient();
        p.put("group.id", "tenancy-test-" + java.util.UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.deadLetter("trainer-service")));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (reasons.size() < n && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofSeconds(1))) {
                    assertTrue(record.headers().lastHeader(Topics.CLAIM_HEADER) == null, "no token in a dead letter");
                    var reason = record.headers().lastHeader("dead-letter-reason");
                    reasons.add(reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(n, reasons.size(), reasons.toString());
        return reasons;
    }
}
