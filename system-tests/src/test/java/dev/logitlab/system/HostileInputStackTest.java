package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.Roles;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Topics;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input suite on the whole local stack: every class of bad record on every topic and of bad request on
 * every service, then a normal run must still get its right report, every service must still be ready, and the
 * dashboard must still render. Prints one line of figures (docs/reliability.md quotes it).
 */
class HostileInputStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void afterEveryKindOfBadRecordAndRequestANormalRunStillGetsItsReport() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.up();
            int records = sendBadRecords(config);
            String submitter = "Bearer " + stack.tokens().token("mallory", Duration.ofMinutes(10), Roles.SUBMITTER,
                    Roles.VIEWER);
            int requests = sendBadRequests(config, submitter);

            HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(config.url("trainer") + "/api/runs"))
                    .header("Authorization", submitter).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"dataset":"synthetic","model":"linear","epochs":1,"batchSize":50,"learningRate":0.01,
                             "seed":3,"evaluation":{"eps":[0.1],"attacks":"fgsm,pgd:steps=3","limit":30,"gapLimit":5}}""")));
            assertEquals(202, accepted.statusCode(), accepted.body());
            String runId = JSON.readTree(accepted.body()).get("runId").asText();
            JsonNode report = TestStacks.awaitReport(config.kafkaClient(), runId + "/epoch-001");
            boolean right = EventSchemas.violations(ReportPublished.class, report).isEmpty()
                    && runId.equals(report.get("runId").asText()) && report.has("report");
            assertTrue(right, report.toString());

            int ready = 0;
            for (String service : List.of("trainer", "attack", "analysis")) {
                int status = send(HttpRequest.newBuilder(URI.create(config.url(service) + "/q/health/ready")).GET())
                        .statusCode();
                assertEquals(200, status, service + " is ready after the hostile input");
                ready++;
            }
            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(config.url("analysis") + "/")).GET());
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            HttpResponse<String> runs = send(HttpRequest.newBuilder(URI.create(config.url("analysis")
                    + "/api/run-events")).header("Authorization", submitter).GET());
            assertEquals(200, runs.statusCode(), "the dashboard's data still loads");
            assertTrue(runs.body().contains(runId));
            System.out.printf("hostile-input stack: %d records sent, %d requests sent, %d/3 services still ready, "
                    + "%d/1 reports still right%n", records, requests, ready, right ? 1 : 0);
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log, e);
        } finally {
            stack.down();
        }
    }

    /** On every topic: not JSON, no key (where the topic takes one), a huge key, a huge value, wrong schema, wrong type. */
    private static int sendBadRecords(StackConfig config) throws Exception {
        String wrongType = JSON.writeValueAsString(RunEvent.failed("hostile-run", "f".repeat(64), 0,
                "<img src=x onerror=alert(1)>"));
        int sent = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config.kafkaClient(), new StringSerializer(),
                new StringSerializer())) {
            for (Topics.TopicSpec topic : Topics.ALL) {
                List<ProducerRecord<String, String>> bad = new ArrayList<>(List.of(
                        new ProducerRecord<>(topic.name(), "hostile", "not json {"),
                        new ProducerRecord<>(topic.name(), "k".repeat(10_000), "{}"),
                        new ProducerRecord<>(topic.name(), "hostile", "x".repeat(800_000)),
                        new ProducerRecord<>(topic.name(), "hostile", "{\"schemaVersion\":1,\"runId\":[[[]]]}"),
                        new ProducerRecord<>(topic.name(), "hostile", "[".repeat(20_000)),
                        new ProducerRecord<>(topic.name(), "hostile", null)));
                if (!topic.name().equals(Topics.RUNS)) {
                    bad.add(new ProducerRecord<>(topic.name(), "hostile-run", wrongType));
                }
                if (!topic.compacted()) {
                    bad.add(new ProducerRecord<>(topic.name(), null, "{\"no\":\"key\"}"));
                }
                for (ProducerRecord<String, String> record : bad) {
                    producer.send(record).get(30, TimeUnit.SECONDS);
                    sent++;
                }
            }
        }
        return sent;
    }

    /** Over-limit specs, malformed and oversize bodies, bad uploads and paths; each must be a 4xx, never a 5xx. */
    private static int sendBadRequests(StackConfig config, String submitter) throws Exception {
        String trainer = config.url("trainer");
        String analysis = config.url("analysis");
        List<HttpRequest.Builder> requests = new ArrayList<>();
        for (String body : List.of(
                "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],"
                        + "\"attacks\":\"pgd:steps=900000:restarts=5000\"}}",
                "{\"dataset\":\"synthetic\",\"model\":\"wrn-400-40\",\"epochs\":1}",
                "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"defense\":\"alp=1e308:steps=1e9\"}",
                "{\"dataset\":",
                "[" .repeat(50_000),
                "{\"defense\":\"" + "x".repeat(300_000) + "\"}")) {
            requests.add(HttpRequest.newBuilder(URI.create(trainer + "/api/runs")).header("Authorization", submitter)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        }
        requests.add(HttpRequest.newBuilder(URI.create(trainer + "/api/runs")).header("Authorization", submitter)
                .header("Content-Type", "text/html").POST(HttpRequest.BodyPublishers.ofString("<script>")));
        requests.add(HttpRequest.newBuilder(URI.create(trainer + "/api/sweeps")).header("Authorization", submitter)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"executor\":\"kubernetes\",\"seeds\":[1,2,3],\"base\":{\"dataset\":\"synthetic\","
                                + "\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],\"attacks\":"
                                + "\"square:queries=99999999\"}}}")));
        for (String query : List.of("runId=../../etc&step=1&dataset=synthetic", "runId=ok&step=1&dataset=synthetic",
                "runId=ok2&step=1&dataset=synthetic&attacks=spsa:iterations=1000:samples=8192&limit=10000")) {
            requests.add(HttpRequest.newBuilder(URI.create(trainer + "/api/checkpoints?" + query))
                    .header("Authorization", submitter).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray("PK\u0003\u0004 not a model".getBytes())));
        }
        for (String path : List.of("/api/reports/..%2F..%2Fetc%2Fpasswd", "/api/runs/%00/best",
                "/api/leaderboard?format=%3Cscript%3E", "/api/evaluations?runId=" + "r".repeat(5000))) {
            requests.add(HttpRequest.newBuilder(URI.create(analysis + path)).header("Authorization", submitter).GET());
        }
        requests.add(HttpRequest.newBuilder(URI.create(analysis + "/api/session"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        requests.add(HttpRequest.newBuilder(URI.create(trainer + "/api/runs")).header("Authorization", "Bearer "
                + "e30.e30.").GET());
        for (HttpRequest.Builder request : requests) {
            HttpResponse<String> response = send(request);
            int status = response.statusCode();
            assertTrue(status < 500 || status == 503, request.build().uri() + " answered " + status + ": "
                    + response.body());
        }
        return requests.size();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
