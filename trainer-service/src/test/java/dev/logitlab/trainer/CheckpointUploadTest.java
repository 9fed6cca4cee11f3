package dev.logitlab.trainer;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Roles;
import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TorchScript checkpoints from outside, uploaded over REST against a real in-JVM broker: stored and announced as
 * the trainer announces its own, once per run and step however often they are sent; anything else a clear 4xx.
 * The files are the ones PyTorch made for core's tests (core/src/test/resources/torchscript/).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class CheckpointUploadTest {

    static final Path FIXTURES = Path.of("../core/src/test/resources/torchscript");
    static final ObjectMapper JSON = new ObjectMapper();

    private static RequestSpecification as(String subject, String... roles) {
        return RestAssured.given().auth().oauth2(TestTokens.of(subject, roles)).contentType("application/octet-stream");
    }

    private static RequestSpecification uploader() {
        return as("ci-bot", Roles.SUBMITTER);
    }

    @Test
    void anUploadIsStoredAndAnnouncedOnceHoweverOftenItIsSent() throws Exception {
        byte[] model = Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt"));
        String path = "/api/checkpoints?runId=resnet-ci&step=3&dataset=fashion-mnist&eps=0.05,0.1&attacks=fgsm&limit=20"
                + "&gaps=5&seed=7&label=ALP (PyTorch)";
        uploader().body(model).post(path).then().statusCode(201)
                .header("Location", containsString("/api/checkpoints/resnet-ci/3"))
                .body("checkpointId", equalTo("resnet-ci/step-000003")).body("sha256", equalTo(Sha256.of(model)))
                .body("announced", equalTo(true));
        uploader().body(model).post(path).then().statusCode(200).body("checkpointId", equalTo("resnet-ci/step-000003"));
        // The same bytes under another plan: not silently the first plan's checkpoint.
        uploader().body(model).post(path.replace("eps=0.05,0.1", "eps=0.2")).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("another data set, evaluation"));
        RestAssured.given().auth().oauth2(TestTokens.of("viewer", Roles.VIEWER)).get("/api/checkpoints/resnet-ci/3")
                .then().statusCode(200).body("bytes", equalTo(model.length));

        List<JsonNode> announced = KafkaBrokerResource.committed("logitlab.checkpoints", Duration.ofSeconds(3)).stream()
                .filter(r -> r.key().equals("resnet-ci")).map(r -> read(r.value())).toList();
        assertEquals(1, announced.size(), "one announcement for one checkpoint");
        JsonNode event = announced.get(0);
        assertEquals(List.of(), EventSchemas.violations(CheckpointCreated.class, event));
        assertEquals("torchscript", event.get("format").asText());
        assertEquals("test", event.get("split").asText());
        assertEquals(3, event.get("epoch").asInt());
        assertEquals("ALP (PyTorch)", event.get("defense").asText());
        assertEquals(List.of(0.05, 0.1), JSON.convertValue(event.get("evaluation").get("eps"), List.class));
        Path stored = KafkaBrokerResource.store.resolve(event.get("uri").asText().substring("file:".length()));
        assertEquals(Sha256.of(model), Sha256.of(stored), "the store holds the bytes sent");
        assertEquals(event.get("sha256").asText(), Sha256.of(stored));

        // Other bytes for a step that is taken: a conflict, and the stored checkpoint is untouched.
        uploader().body(Files.readAllBytes(FIXTURES.resolve("wrong_classes.pt"))).post(path).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString(Sha256.of(model)));
        assertEquals(Sha256.of(model), Sha256.of(stored));
    }

    @Test
    void aRunBelongsToItsFirstUploaderAndNoOtherSubmitterMayAddToIt() throws Exception {
        // Seen: mallory, another submitter, added step 2 to alice's run team-a and became its best checkpoint.
        byte[] model = Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt"));
        String step = "/api/checkpoints?runId=team-a&dataset=fashion-mnist&attacks=fgsm&limit=20&gaps=0&step=";
        as("alice", Roles.SUBMITTER).body(model).post(step + 1).then().statusCode(201);
        as("mallory", Roles.SUBMITTER).body(model).post(step + 2).then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("belongs to another submitter"));
        RestAssured.given().auth().oauth2(TestTokens.of("viewer", Roles.VIEWER)).get("/api/checkpoints/team-a/2")
                .then().statusCode(404);
        as("mallory", Roles.SUBMITTER).body(model).post(step + 1).then().statusCode(403);
        as("alice", Roles.SUBMITTER).body(model).post(step + 2).then().statusCode(201);
        as("ops", Roles.OPERATOR).body(model).post(step + 3).then().statusCode(201);
    }

    @Test
    void aSubjectsRunsHoldNoMoreThanItsQuotaAndSendingAStepAgainStillAnswers() throws Exception {
        byte[] model = Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt"));
        String query = "/api/checkpoints?dataset=fashion-mnist&attacks=fgsm&limit=20&gaps=0&runId=hoard-";
        for (int i = 1; i <= 8; i++) { // the test profile's logitlab.limits.subject-checkpoints
            as("hoarder", Roles.SUBMITTER).body(model).post(query + (i % 2) + "&step=" + i).then().statusCode(201);
        }
        as("hoarder", Roles.SUBMITTER).body(model).post(query + "2&step=1").then().statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("logitlab.limits.subject-"));
        as("hoarder", Roles.SUBMITTER).body(model).post(query + "1&step=1").then().statusCode(200);
        as("someone-else", Roles.SUBMITTER).body(model).post(query + "3&step=1").then().statusCode(201);
    }

    @Test
    void aNamespacedRunIdIsItsSubjectsAndTheTrainersFormOfIdIsNobodys() throws Exception {
        byte[] model = Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt"));
        String query = "&dataset=fashion-mnist&attacks=fgsm&limit=20&gaps=0&step=1";
        // mallory cannot squat a name in alice's namespace, even before alice has used it
        as("mallory", Roles.SUBMITTER).body(model).post("/api/checkpoints?runId=alice~ci" + query).then()
                .statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("namespace of subject alice"));
        // an operator may add to it, and it stays alice's
        as("ops", Roles.OPERATOR).body(model).post("/api/checkpoints?runId=alice~ci" + query).then().statusCode(201);
        as("alice", Roles.SUBMITTER).body(model).post("/api/checkpoints?runId=alice~ci"
                + query.replace("step=1", "step=2")).then().statusCode(201);
        as("mallory", Roles.SUBMITTER).body(model).post("/api/checkpoints?runId=run-0123456789ab" + query).then()
                .statusCode(409).body("detail", containsString("a run this trainer trains"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "runId=../etc&step=1&dataset=fashion-mnist         | runId   | letters, digits",
        "runId=a%2Fb&step=1&dataset=fashion-mnist          | runId   | letters, digits",
        "runId=ok&dataset=fashion-mnist                    | step    | step is required",
        "runId=ok&step=0&dataset=fashion-mnist             | step    | [1, 1000000]",
        "runId=ok&step=1&dataset=imagenet                  | dataset | must be one of",
        "runId=ok&step=1&dataset=mnist&eps=abc             | eps     | numbers",
        "runId=ok&step=1&dataset=mnist&eps=2               | eps     | (0, 1]",
        "runId=ok&step=1&dataset=mnist&attacks=cw          | attacks | cw",
        "runId=ok&step=1&dataset=mnist&limit=20000         | limit   | over the limit",
        "runId=ok&step=1&dataset=mnist&label=%3Cscript%3E  | label   | label must be",
    })
    void badParametersAreProblemsNamingTheParameter(String query, String field, String says) throws Exception {
        uploader().body(Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt"))).post("/api/checkpoints?" + query)
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo(field))
                .body("detail", containsString(says));
    }

    @ParameterizedTest
    @CsvSource({
        "state_dict.pt,     torch.save archive",
        "pickled_module.pt, torch.save archive",
    })
    void aFileThatIsNotATorchScriptModuleIsRefusedBeforeAnyoneSeesIt(String file, String says) throws Exception {
        uploader().body(Files.readAllBytes(FIXTURES.resolve(file)))
                .post("/api/checkpoints?runId=not-a-module&step=1&dataset=fashion-mnist")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("body"))
                .body("detail", containsString(says));
        uploader().body(new byte[] {(byte) 0x80, 2, '.'}).post("/api/checkpoints?runId=not-a-module&step=1&dataset=mnist")
                .then().statusCode(400).body("field", equalTo("body")).body("detail", containsString("not a zip"));
        uploader().body(new byte[0]).post("/api/checkpoints?runId=not-a-module&step=1&dataset=mnist")
                .then().statusCode(400).body("field", equalTo("body")).body("detail", containsString("empty"));
        RestAssured.given().auth().oauth2(TestTokens.of("viewer", Roles.VIEWER)).get("/api/checkpoints/not-a-module/1")
                .then().statusCode(404);
    }

    @Test
    void aFileOverTheLimitIs413AndOnlySubmittersMayUpload() throws Exception {
        // The test profile's limit is 1,000,000 bytes, its HTTP ceiling 2 MiB (application.properties).
        uploader().body(new byte[1_000_001]).post("/api/checkpoints?runId=huge&step=1&dataset=mnist")
                .then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("logitlab.limits.checkpoint-bytes"));
        RestAssured.given().auth().oauth2(TestTokens.of("viewer", Roles.VIEWER)).get("/api/checkpoints/huge/1")
                .then().statusCode(404);
        as("viewer", Roles.VIEWER).body(Files.readAllBytes(FIXTURES.resolve("tiny_cnn.pt")))
                .post("/api/checkpoints?runId=mine&step=1&dataset=mnist").then().statusCode(403);
        RestAssured.given().contentType("application/octet-stream").body(new byte[] {1})
                .post("/api/checkpoints?runId=mine&step=1&dataset=mnist").then().statusCode(401);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
