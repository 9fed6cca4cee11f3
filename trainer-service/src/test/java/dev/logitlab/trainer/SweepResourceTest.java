package dev.logitlab.trainer;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;

import dev.logitlab.service.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sweeps with the in-process executor: the grid becomes runs, the sweep shows each point's status. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class SweepResourceTest {

    /** Requests with a token of every role: who may do what is AuthTest's subject. */
    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given().header("Authorization", dev.logitlab.service.TestTokens.bearer(
                dev.logitlab.events.Roles.VIEWER, dev.logitlab.events.Roles.SUBMITTER, dev.logitlab.events.Roles.OPERATOR));
    }

    static final String SWEEP = """
            {"name":"tiny","executor":"local","defenses":["plain","ls=0.3"],"seeds":[1,2],
             "base":{"dataset":"synthetic","model":"linear","epochs":1,"batchSize":50,"learningRate":0.01,
                     "evaluation":{"eps":[0.1],"attacks":"fgsm","limit":20}}}""";

    @Test
    void aSweepTrainsEveryPointOfItsGrid() throws Exception {
        String sweepId = given().contentType(ContentType.JSON).body(SWEEP).when().post("/api/sweeps")
                .then().statusCode(202).body("runs", equalTo(4)).extract().path("sweepId");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/sweeps/" + sweepId)
                .then().statusCode(200)
                .body("points.size()", equalTo(4))
                .body("points.status", everyItem(equalTo("SUCCEEDED"))));
        List<String> defenses = given().get("/api/sweeps/" + sweepId).then().extract().path("points.spec.defense");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("plain", "plain", "ls=0.3", "ls=0.3"), defenses);
        // A report on logitlab.reports (as the analysis service publishes it) shows up as the point's latest.
        String runId = given().get("/api/sweeps/" + sweepId).then().extract().path("points[0].runId");
        String report = reportJson(runId, runId + "/epoch-001");
        KafkaBrokerResource.companion().produceStrings().fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                "logitlab.reports", runId + "/epoch-001", report)).awaitCompletion(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/sweeps/" + sweepId)
                .then().body("points[0].latestReport.checkpointId", equalTo(runId + "/epoch-001"))
                .body("points[0].latestReport.worstCase[0].eps", equalTo(0.1f)));
        given().delete("/api/sweeps/" + sweepId).then().statusCode(202);
        // The sweep is in the store, not only in this replica's memory: a restarted trainer lists it with its runs.
        var stored = io.quarkus.arc.Arc.container().instance(dev.logitlab.trainer.sweep.SweepStore.class).get().all();
        var again = stored.stream().filter(s -> s.getSweepId().equals(sweepId)).findFirst().orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals(List.of("plain", "plain", "ls=0.3", "ls=0.3"),
                again.getPoints().stream().map(p -> p.getSpec().defense()).toList());
    }

    /** A minimal but schema-valid report of one checkpoint. */
    private static String reportJson(String runId, String checkpointId) throws Exception {
        var check = new dev.logitlab.events.EvaluationReport.Check("vanishing-gradients", true, "0 of 10");
        var report = new dev.logitlab.events.EvaluationReport(dev.logitlab.events.EvaluationReport.SCHEMA, checkpointId,
                "synthetic", 20, 0, 0.9, List.of(), List.of(new dev.logitlab.events.EvaluationReport.WorstCase("linf", 0.1, 0.4)),
                null, new dev.logitlab.events.EvaluationReport.Masking(false, java.util.Collections.nCopies(9, check)));
        var published = new dev.logitlab.events.ReportPublished(1, runId, checkpointId, 1, "c".repeat(64), 0, "plain", report);
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), dev.logitlab.events.EventSchemas.violations(published));
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(published);
    }

    @Test
    void badSweepsAreProblemsNamingTheField() {
        given().contentType(ContentType.JSON).body(SWEEP.replace("\"local\"", "\"slurm\"")).when().post("/api/sweeps")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("executor"));
        given().contentType(ContentType.JSON).body(SWEEP.replace("\"ls=0.3\"", "\"ls=7\"")).when().post("/api/sweeps")
                .then().statusCode(400).body("field", equalTo("defense"));
        given().get("/api/sweeps/nope").then().statusCode(404).contentType("application/problem+json");
    }
}
