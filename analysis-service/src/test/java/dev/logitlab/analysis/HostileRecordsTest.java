package dev.logitlab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.RunEvent;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.StreamRecords;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Records nobody should write, on the topics the analysis service reads, against a real broker: none stops a thread,
 * blanks a view or loops; each is skipped and counted, or dead-lettered in a copy that always fits.
 * Before the copies were checked, one non-JSON value on logitlab.runs made /api/run-events answer 500, and one
 * record without a key killed the global thread for good.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class HostileRecordsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordsWithoutAKeyOrNotEventsOnTheCopiedTopicsAreSkippedAndTheViewsStayUp() throws Exception {
        String good = JSON.writeValueAsString(RunEvent.failed("run-h1", "c".repeat(64), 1, "<img src=x onerror=alert(1)>"));
        produce("logitlab.runs", null, good);
        produce("logitlab.runs", "run-h2", "not json at all");
        produce("logitlab.runs", "run-h3", "{\"schemaVersion\":1,\"runId\":[]}");
        produce("logitlab.runs", "k".repeat(5000), good);
        produce("logitlab.reports", "run-h4/epoch-002", "{}"); // (compacted topics refuse records without a key)
        produce("logitlab.reports", "run-h4/epoch-001", "{\"report\": 1}");
        produce("logitlab.verdicts", "run-h5/epoch-001", "[[[[");
        produce("logitlab.runs", "run-h1", good); // the one well-formed record, after them all

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> viewer().get("/api/run-events")
                .then().statusCode(200).body("runId", Matchers.hasItem("run-h1")));
        List<String> runs = viewer().get("/api/run-events").then().extract().jsonPath().getList("runId");
        assertTrue(runs.stream().noneMatch(r -> r.startsWith("run-h2") || r.startsWith("run-h3") || r.startsWith("kkk")),
                runs.toString());
        viewer().get("/api/evaluations?runId=run-h4").then().statusCode(200).body("size()", Matchers.is(0));
        viewer().get("/api/verdicts").then().statusCode(200);
        RestAssured.given().get("/q/health/live").then().statusCode(200);
        RestAssured.given().get("/q/health/ready").then().statusCode(200);
        String metrics = RestAssured.given().get("/q/metrics").then().extract().asString();
        // not JSON, not a RunEvent, a key too long; the record without a key Kafka Streams may drop before the copy
        assertTrue(metrics.contains("logitlab_records_skipped_total{topic=\"logitlab.runs\"} 3.0")
                || metrics.contains("logitlab_records_skipped_total{topic=\"logitlab.runs\"} 4.0"), metrics.lines()
                .filter(l -> l.contains("skipped")).toList().toString());
        assertTrue(metrics.contains("logitlab_records_skipped_total{topic=\"logitlab.reports\"} 2.0"));
        assertTrue(metrics.contains("logitlab_records_skipped_total{topic=\"logitlab.verdicts\"} 1.0"));
    }

    @Test
    void aHugePoisonRecordWithManyHeadersIsDeadLetteredInACopyThatFits() {
        String huge = "x".repeat(700_000); // under the broker's 1 MB, over the copy's bound
        ProducerRecord<String, String> poison = new ProducerRecord<>("logitlab.attack-results", "huge", huge);
        for (int i = 0; i < 100; i++) {
            poison.headers().add("h" + i, "v".repeat(500).getBytes(StandardCharsets.UTF_8));
        }
        KafkaBrokerResource.companion().produceStrings().fromRecords(poison).awaitCompletion(Duration.ofSeconds(10));

        ConsumerRecord<String, String> copy = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                KafkaBrokerResource.committed("logitlab.dlq.analysis-service", Duration.ofSeconds(2)).stream()
                        .filter(r -> "huge".equals(r.key())).findFirst().orElse(null), java.util.Objects::nonNull);
        assertEquals(StreamRecords.DEAD_LETTER_VALUE_BYTES / 4, copy.value().length());
        assertEquals("700000", KafkaBrokerResource.header(copy, "dead-letter-truncated"));
        assertTrue(copy.headers().toArray().length <= StreamRecords.DEAD_LETTER_HEADERS + 6, "headers kept bounded");
        assertTrue(KafkaBrokerResource.header(copy, "dead-letter-reason").startsWith("not JSON"));
    }

    private static RequestSpecification viewer() {
        return RestAssured.given().auth().oauth2(TestTokens.of("vera", dev.logitlab.events.Roles.VIEWER));
    }

    private static void produce(String topic, String key, String value) {
        KafkaBrokerResource.companion().produceStrings()
                .fromRecords(new ProducerRecord<>(topic, key, value)).awaitCompletion(Duration.ofSeconds(10));
    }
}
