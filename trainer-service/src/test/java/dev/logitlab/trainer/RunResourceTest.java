package dev.logitlab.trainer;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.RunEvent;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.PrometheusLint;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trainer against a real in-JVM KRaft broker: REST in, checkpoint and run events out. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class RunResourceTest {

    /** Requests with a token of every role: who may do what is AuthTest's subject. */
    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given().header("Authorization", dev.logitlab.service.TestTokens.bearer(
                dev.logitlab.events.Roles.VIEWER, dev.logitlab.events.Roles.SUBMITTER, dev.logitlab.events.Roles.OPERATOR));
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TINY = """
            {"dataset":"synthetic","model":"linear","defense":"ls=0.3","epochs":2,"batchSize":50,"learningRate":0.01,
             "seed":1,"evaluation":{"eps":[0.1],"attacks":"fgsm,pgd:steps=3","limit":50,"gapLimit":10}}""";

    @Test
    void aRunPublishesACheckpointEventPerEpochAndItsLife() throws Exception {
        String runId = given().contentType(ContentType.JSON).body(TINY)
                .when().post("/api/runs")
                .then().statusCode(202).header("Location", startsWith("http")).extract().path("runId");

        KafkaCompanion kafka = KafkaBrokerResource.companion();
        // Other tests of this JVM announce on the same topic: this run's are the ones keyed by its id.
        List<ConsumerRecord<String, String>> ours = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            ours.clear();
            KafkaBrokerResource.committed("logitlab.checkpoints", Duration.ofSeconds(2)).stream()
                    .filter(r -> runId.equals(r.key())).forEach(ours::add);
            return ours.size() >= 2;
        });
        for (ConsumerRecord<String, String> record : ours) {
            assertEquals(runId, record.key());
            assertEquals("dev.logitlab.checkpoint.created.v2", KafkaBrokerResource.header(record, "ce_type"));
            assertTrue(KafkaBrokerResource.header(record, "ce_dataschema").endsWith("/schemas/checkpoint-created.v2.json"));
            JsonNode event = JSON.readTree(record.value());
            assertEquals(List.of(), EventSchemas.violations(CheckpointCreated.class, event));
            String uri = event.get("uri").asText();
            assertEquals(Sha256.of(KafkaBrokerResource.store.resolve(uri.substring("file:".length())).resolve("model.params")),
                    event.get("sha256").asText(), "the event's SHA-256 is the parameter file's");
            assertEquals("fgsm,pgd:steps=3", event.get("evaluation").get("attacks").asText());
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("SUCCEEDED")).body("checkpoints.size()", equalTo(2)));

        List<String> kinds = kafka.consumeStrings().fromTopics("logitlab.runs", Duration.ofSeconds(3)).awaitCompletion()
                .getRecords().stream().filter(r -> r.key().equals(runId)).map(r -> {
                    JsonNode event = read(r.value());
                    assertEquals(List.of(), EventSchemas.violations(RunEvent.class, event));
                    assertEquals("dev.logitlab.run." + event.get("kind").asText() + ".v1", KafkaBrokerResource.header(r, "ce_type"));
                    return event.get("kind").asText();
                }).toList();
        assertEquals("submitted", kinds.get(0));
        assertTrue(kinds.contains("progress"), kinds.toString());
        assertEquals("completed", kinds.get(kinds.size() - 1));
        given().get("/api/runs").then().statusCode(200).body("runId", hasItem(runId));
        assertEquals(List.of(), PrometheusLint.problems(given().get("/q/metrics").then().statusCode(200)
                .extract().asString()));
        given().get("/schemas/run-event.v1.json").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("\"$id\": \"run-event.v1.json\""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochz\":2} | epochz",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":\"two\"} | epochs",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"defense\":\"foo=1\"} | defense",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":0} | epochs",
        "{\"dataset\":\"imagenet\",\"model\":\"linear\",\"epochs\":1} | dataset",
        "{\"dataset\":\"synthetic\",\"model\":\"vit\",\"epochs\":1} | model",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"optimizer\":\"rmsprop\"} | optimizer",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[2],\"attacks\":\"pgd\",\"limit\":5}} | evaluation.eps",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],\"attacks\":\"cw\",\"limit\":5}} | evaluation.attacks",
        "{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],\"epsL2\":[0.5,0],\"attacks\":\"pgd\",\"limit\":5}} | evaluation.epsL2",
    })
    void badRunSpecsAreProblemsNamingTheField(String body, String field) {
        given().contentType(ContentType.JSON).body(body)
                .when().post("/api/runs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("field", equalTo(field));
    }

    @Test
    void aBodyThatIsNotJsonIsAProblem() {
        given().contentType(ContentType.JSON).body("{not json")
                .when().post("/api/runs")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aRunCanBeCancelled() {
        String runId = given().contentType(ContentType.JSON)
                .body(TINY.replace("\"epochs\":2", "\"epochs\":100").replace("\"linear\"", "\"small-cnn\""))
                .when().post("/api/runs").then().statusCode(202).extract().path("runId");
        given().delete("/api/runs/" + runId).then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/" + runId)
                .then().body("status", equalTo("CANCELLED")));
        given().delete("/api/runs/nope").then().statusCode(404).contentType("application/problem+json");
    }

    @jakarta.inject.Inject
    TrainingExecutor executor;

    @Test
    void aRestartedTrainerListsItsRunsAndAnnouncesOnlyWhatTheBrokerNeverAcknowledged() throws Exception {
        // As a trainer killed after writing epoch 2 and before the broker acknowledged it leaves the store:
        String runId = "run-crashed0001";
        var spec = RunSpecs.normalize(JSON.readValue(TINY, dev.logitlab.events.RunSpec.class));
        var config = RunSpecs.trainingConfig(spec);
        new dev.logitlab.core.train.Training(config, runId, KafkaBrokerResource.store.resolve("runs").resolve(runId), null)
                .run(dev.logitlab.core.data.Datasets.load("synthetic", null));
        RunJournal journal = io.quarkus.arc.Arc.container().instance(RunJournal.class).get();
        journal.save(new RunJournal.Entry(runId, spec, config.configHash(), java.time.Instant.now(), "service",
                Run.Status.SUCCEEDED, null, "tester"));
        journal.markAnnounced(runId, 1);

        executor.recover(); // what start-up does
        executor.recover(); // and a second restart announces nothing again
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("SUCCEEDED")).body("checkpoints.size()", equalTo(2)));
        List<Integer> announced = KafkaBrokerResource.committed("logitlab.checkpoints", Duration.ofSeconds(3)).stream()
                .filter(r -> r.key().equals(runId)).map(r -> read(r.value()).get("epoch").asInt()).toList();
        assertEquals(List.of(2), announced, "only the unacknowledged epoch 2, once");
    }

    @Test
    void aStoreWithMoreRunsThanTheQueueHoldsDoesNotStopARestart() throws Exception {
        // The local store keeps every run of every demo; recovery must not go through the bounded submission queue.
        var spec = RunSpecs.normalize(JSON.readValue(TINY, dev.logitlab.events.RunSpec.class));
        var config = RunSpecs.trainingConfig(spec);
        RunJournal journal = io.quarkus.arc.Arc.container().instance(RunJournal.class).get();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String runId = String.format("run-finished%04d", i);
            ids.add(runId);
            journal.save(new RunJournal.Entry(runId, spec, config.configHash(), java.time.Instant.now(), "service",
                    Run.Status.SUCCEEDED, null, "tester"));
        }
        executor.recover();
        List<String> listed = given().get("/api/runs").then().statusCode(200).extract().jsonPath().getList("runId");
        assertTrue(listed.containsAll(ids), "every recovered run is listed");
    }

    @Test
    void anUnreadableJournalIsSetAsideAndAnUnfinishedRunIsResumedOnlyByTheReplicaHoldingItsLease() throws Exception {
        java.nio.file.Path runs = KafkaBrokerResource.store.resolve("runs");
        java.nio.file.Files.createDirectories(runs.resolve("run-garbage0001"));
        java.nio.file.Files.writeString(runs.resolve("run-garbage0001/run.json"), "{\"runId\": [not json");
        var spec = RunSpecs.normalize(JSON.readValue(TINY, dev.logitlab.events.RunSpec.class));
        var config = RunSpecs.trainingConfig(spec);
        RunJournal journal = io.quarkus.arc.Arc.container().instance(RunJournal.class).get();
        String runId = "run-leased00001";
        journal.save(new RunJournal.Entry(runId, spec, config.configHash(), java.time.Instant.now(), "service",
                Run.Status.QUEUED, null, "tester"));
        java.nio.file.Path lease = runs.resolve(runId).resolve("lease");
        String othersLease = "other-replica " + (System.currentTimeMillis() + 3_600_000);
        java.nio.file.Files.writeString(lease, othersLease);

        executor.recover(); // what start-up does, and what every replica does once a lease period
        assertTrue(java.nio.file.Files.exists(runs.resolve("run-garbage0001/run.json.unreadable")));
        assertTrue(!java.nio.file.Files.exists(runs.resolve("run-garbage0001/run.json")));
        given().get("/api/runs/" + runId).then().statusCode(404); // a live replica holds it: not ours to train
        assertEquals(othersLease, java.nio.file.Files.readString(lease));
        given().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString("logitlab_runs_set_aside_total"));

        java.nio.file.Files.writeString(lease, "other-replica " + (System.currentTimeMillis() - 1)); // it died
        executor.recover();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("SUCCEEDED")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !java.nio.file.Files.exists(lease));
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("checkpoint-store"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }


    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
