package dev.logitlab.system;

import dev.logitlab.cli.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Roles;
import dev.logitlab.events.Topics;
import dev.logitlab.events.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services decide: three short runs on the local stack judged under one protocol. A baseline run; the same spec
 * again naming it as baseline, which passes; a deliberately weaker one (a few dozen training images) naming it too,
 * which regresses. The verdicts come on logitlab.verdicts, and the leaderboard ranks the runs with the weak one last.
 */
class VerdictsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String EVALUATION = "\"evaluation\":{\"eps\":[0.01],\"attacks\":\"pgd:steps=20\",\"limit\":200,"
            + "\"gapLimit\":0%s}";

    @TempDir
    Path home;

    @Test
    void aWeakerCandidateRegressesAnEqualOnePassesAndTheLeaderboardRanksThem() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.up();
            String token = stack.tokens().token("ci", Duration.ofMinutes(30), Roles.VIEWER, Roles.SUBMITTER);
            String baseline = submit(config, token, 600, "");
            String baselineCheckpoint = baseline + "/epoch-001";
            JsonNode first = awaitVerdict(config, baselineCheckpoint);
            assertEquals("passed", first.get("kind").asText(), first.toString());

            String baselineField = ",\"baseline\":\"" + baselineCheckpoint + "\",\"maxDrop\":0.05";
            String equal = submit(config, token, 600, baselineField);
            String weak = submit(config, token, 30, baselineField);
            JsonNode passed = awaitVerdict(config, equal + "/epoch-001");
            JsonNode regressed = awaitVerdict(config, weak + "/epoch-001");
            assertEquals("passed", passed.get("kind").asText(), passed.toString());
            assertEquals(baselineCheckpoint, passed.get("baseline").asText());
            assertEquals("regressed", regressed.get("kind").asText(), regressed.toString());
            JsonNode test = regressed.get("budgets").get(0);
            assertTrue(test.get("lowerBound").asDouble() <= -0.05, test.toString());
            assertTrue(test.get("negativeFlips").asInt() > 0, test.toString());

            // The leaderboard ranks all three under their one protocol, the weak run last and apart from the leader.
            StringWriter printed = new StringWriter();
            assertEquals(0, Lab.commandLine().setOut(new PrintWriter(printed, true)).execute("leaderboard",
                    "--analysis-url", config.url("analysis"), "--token", token, "--json",
                    home.resolve("leaderboard.json").toString()));
            JsonNode tables = JSON.readTree(home.resolve("leaderboard.json").toFile());
            assertEquals(1, tables.size(), printed.toString());
            JsonNode rows = tables.get(0).get("rows");
            assertEquals(3, rows.size(), printed.toString());
            assertEquals(weak, rows.get(2).get("runId").asText(), printed.toString());
            assertTrue(rows.get(2).get("separable").asBoolean(), printed.toString());
            assertTrue(printed.toString().contains(weak), printed.toString());
            HttpResponse<String> best = get(config, token, "/api/runs/" + baseline + "/best");
            assertEquals(200, best.statusCode());
            assertEquals(baselineCheckpoint, JSON.readTree(best.body()).get("checkpointId").asText());
            HttpResponse<String> csv = get(config, token, "/api/leaderboard?format=csv");
            assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
            assertEquals(4, csv.body().lines().count(), csv.body());
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log, e);
        } finally {
            stack.down();
        }
    }

    /** A one-epoch linear run on the synthetic data, trained on {@code images} images; its run id. */
    private static String submit(StackConfig config, String token, int images, String baseline) throws Exception {
        String body = "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"trainLimit\":" + images
                + ",\"batchSize\":50,\"learningRate\":0.01,\"seed\":3," + String.format(EVALUATION, baseline) + "}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(config.url("trainer") + "/api/runs")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("runId").asText();
    }

    private static HttpResponse<String> get(StackConfig config, String token, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(config.url("analysis") + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The verdict on a checkpoint, read committed from logitlab.verdicts, checked against its schema. */
    private static JsonNode awaitVerdict(StackConfig config, String checkpointId) throws Exception {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put("group.id", "verdicts-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.VERDICTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofSeconds(1))) {
                    if (checkpointId.equals(record.key())) {
                        JsonNode verdict = JSON.readTree(record.value());
                        assertEquals(List.of(), EventSchemas.violations(Verdict.class, verdict));
                        return verdict;
                    }
                }
            }
        }
        throw new AssertionError("no verdict for " + checkpointId + " on logitlab.verdicts within 240 s");
    }
}
