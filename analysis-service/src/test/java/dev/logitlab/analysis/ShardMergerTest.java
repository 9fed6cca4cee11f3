package dev.logitlab.analysis;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.Survivors;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.ReportFailed;
import dev.logitlab.events.ReportProgress;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.Topics;
import dev.logitlab.events.RunSpec;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.PrometheusLint;
import dev.logitlab.events.Roles;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** The analysis service against a real in-JVM KRaft broker, a trained checkpoint and its real shard outcomes. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class ShardMergerTest {

    /** Requests with a token of every role: who may do what is AuthTest's subject. */
    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given().header("Authorization", dev.logitlab.service.TestTokens.bearer(
                dev.logitlab.events.Roles.VIEWER, dev.logitlab.events.Roles.SUBMITTER, dev.logitlab.events.Roles.OPERATOR));
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** A cascade: its stages travel through the broker inside each shard's outcome. */
    static final RunSpec.Evaluation PLAN = new RunSpec.Evaluation(List.of(0.1), "fgsm>pgd:steps=3>noise:draws=2", 150, 10);
    static final String HASH = "b".repeat(64);

    @Test
    void shardsInAnyOrderWithDuplicatesBecomeExactlyOneReportEqualToAnEvaluationInOneProcess() throws Exception {
        Fixture f = fixture("run-r1");
        List<AttackEvent> shuffled = new ArrayList<>(f.shards);
        shuffled.add(f.shards.get(2)); // redelivered before the set is complete
        Collections.shuffle(shuffled, new Random(3));
        for (AttackEvent e : shuffled) {
            produce(e.checkpointId(), JSON.writeValueAsString(e));
        }
        produce(f.checkpoint.checkpointId(), JSON.writeValueAsString(f.shards.get(0))); // after the report

        ConsumerRecord<String, String> record = reportsFor(f.checkpoint.checkpointId(), 1).get(0);
        assertEquals("dev.logitlab.report.published.v1", KafkaBrokerResource.header(record, "ce_type"));
        String schema = KafkaBrokerResource.header(record, "ce_dataschema");
        assertTrue(schema.endsWith("/schemas/report-published.v1.json"), schema);
        given().get("/schemas/report-published.v1.json").then().statusCode(200)
                .body(Matchers.containsString("\"$id\": \"report-published.v1.json\""));
        JsonNode report = JSON.readTree(record.value());
        assertEquals(List.of(), EventSchemas.violations(ReportPublished.class, report));
        assertEquals(dev.logitlab.core.analysis.MaskingCheck.values().length,
                report.get("report").get("masking").get("checks").size());
        assertTrue(report.get("report").get("gaps").get("examples").asInt() > 0, "gap statistics were measured");
        assertEquals(f.inOneProcess.worstCase().get(0).robustAccuracy(),
                report.get("report").get("worstCase").get(0).get("robustAccuracy").asDouble());
        assertEquals(f.inOneProcess.cleanAccuracy(), report.get("report").get("cleanAccuracy").asDouble());
        // The model was measured alone when the first shard came, while the others were on their way: the same gaps
        // and checks as measured after the attacks.
        assertEquals(JSON.valueToTree(f.analysedInOneProcess.gaps()), report.get("report").get("gaps"));
        assertEquals(JSON.valueToTree(f.analysedInOneProcess.masking().checks()),
                report.get("report").get("masking").get("checks"));
        for (int i = 0; i < f.inOneProcess.attacks().size(); i++) {
            assertEquals(f.inOneProcess.attacks().get(i).robust(), report.get("report").get("attacks").get(i).get("robust").asText());
        }
        Thread.sleep(2000);
        assertEquals(1, reportsFor(f.checkpoint.checkpointId(), 1).size(), "the late duplicate gave no second report");
        // A failure of the same checkpoint (another plan's, or one a producer forged) never replaces its report.
        produce(f.checkpoint.checkpointId(), JSON.writeValueAsString(AttackEvent.refused(f.checkpoint, "c".repeat(64),
                "forged: the model is gone")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> KafkaBrokerResource
                .committed("logitlab.dlq.analysis-service", Duration.ofSeconds(1)).stream()
                .anyMatch(r -> KafkaBrokerResource.header(r, "dead-letter-reason").contains("never replaces")));
        assertEquals(1, reportsFor(f.checkpoint.checkpointId(), 1).size(), "the report stands");
        // Before the report, each shard that arrived said how far the evaluation was, under the same key.
        List<JsonNode> progress = progressOf(f.checkpoint.checkpointId());
        int n = f.shards.size();
        List<Integer> expected = new ArrayList<>(); // distinct shards held after each record before the last one
        java.util.Set<Integer> held = new java.util.HashSet<>();
        for (AttackEvent e : shuffled) {
            held.add(e.shard());
            if (held.size() == n) {
                break;
            }
            expected.add(held.size());
        }
        assertEquals(expected, progress.stream().map(p -> p.get("progress").get("shardsDone").asInt()).toList());
        for (JsonNode p : progress) {
            assertEquals(List.of(), EventSchemas.violations(ReportProgress.class, p));
            assertEquals(n, p.get("progress").get("shards").asInt());
        }
        given().get("/api/evaluations?runId=run-r1").then().statusCode(200)
                .body("[0].state", equalTo("published")).body("[0].checkpointId", equalTo(f.checkpoint.checkpointId()));

        given().get("/api/reports/" + f.checkpoint.checkpointId()).then().statusCode(200)
                .body("report.schema", equalTo("logitlab.evaluation/v1"));
        // Every report says where its time went: the wait for its shards, each attack's compute, each analysis stage.
        List<String> stages = given().get("/api/reports/" + f.checkpoint.checkpointId()).then().extract().jsonPath()
                .getList("report.timeline.name");
        assertEquals("wall: announced until the last shard was in", stages.get(0));
        assertTrue(stages.containsAll(List.of("attack fgsm", "analysis: outputs and gradients",
                "analysis: incomplete optimization (longer runs)", "analysis: binarization test",
                "analysis: masking checks")), stages.toString());
        given().get("/api/runs/run-r1/reports").then().statusCode(200).body("[0].epoch", equalTo(1));
        given().get("/api/reports").then().statusCode(200).body("checkpointId", hasItem(f.checkpoint.checkpointId()));
        given().get("/api/reports/nope/epoch-001").then().statusCode(404).contentType("application/problem+json");
        given().get("/q/health/ready").then().statusCode(200);
        // The dashboard and everything it loads come from this service (no CDN: the cluster may be offline).
        for (String asset : List.of("/", "/dashboard.js", "/report/report.js", "/report/report.css",
                "/webjars/chart.js/4.5.1/dist/chart.umd.min.js", "/api/dashboard")) {
            io.restassured.RestAssured.given().get(asset).then().statusCode(200); // open: no data in them
        }
        // The data needs a token: in the header, or as the dashboard's cookie (its live stream cannot send headers).
        io.restassured.RestAssured.given().get("/api/reports").then().statusCode(401).contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/stream").then().statusCode(401);
        io.restassured.RestAssured.given().auth().oauth2(TestTokens.of("nobody", "guest")).get("/api/reports")
                .then().statusCode(403).contentType("application/problem+json");
        io.restassured.RestAssured.given().cookie("logitlab_token", TestTokens.of("vera", Roles.VIEWER))
                .get("/api/reports").then().statusCode(200).body("checkpointId", hasItem(f.checkpoint.checkpointId()));
        given().get("/api/dashboard").then().statusCode(200).body("trainerUrl", Matchers.startsWith("http"));
        // The page runs only its own scripts, and the stream's cookie is set by the server, out of scripts' reach.
        io.restassured.RestAssured.given().get("/").then().statusCode(200)
                .header("Content-Security-Policy", Matchers.containsString("script-src 'self';"))
                .header("Content-Security-Policy", Matchers.containsString("default-src 'none'"));
        String cookie = given().post("/api/session").then().statusCode(204).extract().header("Set-Cookie");
        assertTrue(cookie.startsWith("logitlab_token=ey") && cookie.contains("HttpOnly")
                && cookie.contains("Path=/api/stream") && cookie.contains("SameSite=Strict"), cookie);
        io.restassured.RestAssured.given().post("/api/session").then().statusCode(401);
        given().get("/api/run-events").then().statusCode(200);
        // With the report, in its transaction, its verdict: the run names no baseline and this is its only checkpoint.
        List<ConsumerRecord<String, String>> verdicts = KafkaBrokerResource.committed("logitlab.verdicts",
                Duration.ofSeconds(3)).stream().filter(r -> f.checkpoint.checkpointId().equals(r.key())).toList();
        assertEquals(1, verdicts.size());
        JsonNode verdict = JSON.readTree(verdicts.get(0).value());
        assertEquals(List.of(), EventSchemas.violations(dev.logitlab.events.Verdict.class, verdict));
        assertEquals("dev.logitlab.verdict.v2", KafkaBrokerResource.header(verdicts.get(0), "ce_type"));
        assertEquals(f.checkpoint.checkpointId(), verdict.get("best").asText());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/api/verdicts?runId=run-r1").then().statusCode(200).body("[0].checkpointId",
                        equalTo(f.checkpoint.checkpointId())));
        given().get("/api/runs/run-r1/best").then().statusCode(200).body("checkpointId",
                equalTo(f.checkpoint.checkpointId()));
        given().get("/api/runs/nope/best").then().statusCode(404);
        given().get("/api/leaderboard").then().statusCode(200).body("[0].rows.runId", hasItem("run-r1"));
        given().get("/api/leaderboard?format=csv").then().statusCode(200).contentType(Matchers.startsWith("text/csv"))
                .body(Matchers.containsString("\"run-r1\""));
        String metrics = given().get("/q/metrics").then().statusCode(200)
                .body(Matchers.containsString("logitlab_reports_published_total"))
                .body(Matchers.containsString("logitlab_verdicts_total{kind=\""))
                .body(Matchers.containsString("logitlab_report_robust_accuracy_count{norm=\"linf\"}"))
                .body(Matchers.containsString("logitlab_analysis_measurements_total{when=\"early\"} 1.0"))
                .extract().asString();
        assertEquals(List.of(), PrometheusLint.problems(metrics));
    }

    @Test
    void aRefusedCheckpointBecomesReportFailedAndPoisonGoesToTheDeadLetterTopic() throws Exception {
        Fixture f = fixture("run-r2");
        produce("poison", "[1, 2, 3]");
        produce(f.checkpoint.checkpointId(), JSON.writeValueAsString(AttackEvent.refused(f.checkpoint, HASH,
                "checkpoint run-r2/epoch-001: parameter file SHA-256 abc does not match the event's def")));

        ConsumerRecord<String, String> record = reportsFor(f.checkpoint.checkpointId(), 1).get(0);
        assertEquals("dev.logitlab.report.failed.v1", KafkaBrokerResource.header(record, "ce_type"));
        JsonNode failed = JSON.readTree(record.value());
        assertEquals(List.of(), EventSchemas.violations(ReportFailed.class, failed));
        assertTrue(failed.get("reason").asText().contains("SHA-256"), failed.get("reason").asText());
        given().get("/api/reports/" + f.checkpoint.checkpointId()).then().statusCode(200)
                .body("reason", Matchers.containsString("refused"));

        var dead = KafkaBrokerResource.committed("logitlab.dlq.analysis-service", Duration.ofSeconds(5)).stream()
                .filter(r -> "poison".equals(r.key())).toList();
        assertEquals(1, dead.size());
        assertTrue(KafkaBrokerResource.header(dead.get(0), "dead-letter-reason").startsWith("not a valid AttackEvent"));
    }

    private record Fixture(CheckpointCreated checkpoint, List<AttackEvent> shards, AttackResults inOneProcess,
                           dev.logitlab.events.EvaluationReport analysedInOneProcess) {
    }

    /** Trains a tiny model into the store and attacks every shard here, as the trainer and attack replicas would. */
    private static Fixture fixture(String runId) {
        TrainingConfig config = new TrainingConfig("synthetic", "linear", "plain", 1, 500, 100, 50, 0.01, "adam", 1);
        Checkpoint c = new Training(config, runId, KafkaBrokerResource.store.resolve("runs").resolve(runId), null)
                .run(Datasets.load("synthetic", null)).lastCheckpoint();
        CheckpointCreated checkpoint = new CheckpointCreated(1, runId, c.manifest().checkpointId(), 1,
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 1, "synthetic", "linear", "plain", PLAN, null);
        EvaluationPlan plan = new EvaluationPlan(PLAN.eps(), PLAN.attacks(), PLAN.limit(), 1, PLAN.gapLimit());
        List<AttackEvent> shards = new ArrayList<>();
        AttackResults inOneProcess;
        dev.logitlab.events.EvaluationReport analysed;
        try (Classifier model = Classifiers.open(c.directory())) {
            AttackPhase phase = new AttackPhase(model, Datasets.load("synthetic", null).test(), plan, null);
            int n = phase.shards().shards().size();
            Map<Integer, ShardOutcome> outcomes = new HashMap<>();
            for (boolean after : new boolean[] {false, true}) {
                for (ShardPlan.Shard s : phase.shards().shards()) {
                    if (phase.shards().survivorsOnly(s) != after) {
                        continue;
                    }
                    String mask = after ? Survivors.of(phase.shards(), s, outcomes) : null;
                    AttackTask task = new AttackTask(1, AttackTask.taskId(checkpoint.checkpointId(), HASH, s.index()),
                            HASH, s.index(), n, s.attackName(), s.norm().label(), s.eps(), s.from(), s.to(), checkpoint,
                            mask);
                    outcomes.put(s.index(), phase.run(s, mask));
                    shards.add(AttackEvent.completed(task, outcomes.get(s.index())));
                }
            }
            inOneProcess = new dev.logitlab.core.evaluation.Evaluation(model, Datasets.load("synthetic", null).test(), plan,
                    null, null).attack(checkpoint.checkpointId());
            analysed = new dev.logitlab.core.evaluation.AnalysisPhase(model, Datasets.load("synthetic", null).test(),
                    plan).run(inOneProcess, null);
        }
        return new Fixture(checkpoint, shards, inOneProcess, analysed);
    }

    private static List<JsonNode> progressOf(String checkpointId) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (ConsumerRecord<String, String> r : KafkaBrokerResource.committed("logitlab.reports", Duration.ofSeconds(2))) {
            if (checkpointId.equals(r.key()) && Topics.REPORT_PROGRESS.equals(KafkaBrokerResource.header(r, "ce_type"))) {
                found.add(JSON.readTree(r.value()));
            }
        }
        return found;
    }

    private static void produce(String key, String value) {
        KafkaBrokerResource.companion().produceStrings()
                .fromRecords(new ProducerRecord<>("logitlab.attack-results", key, value)).awaitCompletion(Duration.ofSeconds(10));
    }

    /** The report or failure of a checkpoint on logitlab.reports, not the progress records before it. */
    private static List<ConsumerRecord<String, String>> reportsFor(String checkpointId, int n) {
        List<ConsumerRecord<String, String>> found = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (found.size() < n && System.nanoTime() < deadline) {
            found = KafkaBrokerResource.committed("logitlab.reports", Duration.ofSeconds(2)).stream()
                    .filter(r -> checkpointId.equals(r.key()))
                    .filter(r -> !Topics.REPORT_PROGRESS.equals(KafkaBrokerResource.header(r, "ce_type"))).toList();
        }
        assertEquals(n, found.size(), "reports for " + checkpointId);
        return found;
    }
}
