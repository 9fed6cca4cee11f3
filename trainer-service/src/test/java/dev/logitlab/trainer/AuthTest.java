package dev.logitlab.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.events.Roles;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the trainer, with real signed tokens: none or a bad one is 401, the wrong role 403 (both as
 * problem+json), the right one passes; probes and Prometheus need none. Only a run's submitter or an operator cancels
 * it; specs over the limits are 400s naming the limit, oversize bodies 413, a client over its rate 429.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class AuthTest {

    /** Valid JSON that fails validation: a request that gets past authorization says so with a 400. */
    static final String INVALID_SPEC = """
            {"dataset":"synthetic","model":"linear","defense":"plain","epochs":0}""";
    static final String TINY = """
            {"dataset":"synthetic","model":"linear","epochs":1,"trainLimit":200,"evaluation":{"eps":[0.1],
             "attacks":"fgsm","limit":20,"gapLimit":5}}""";

    @Test
    void withoutATokenOrWithABadOneTheAnswerIs401() {
        given().get("/api/runs").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("detail", containsString("bearer token"));
        for (String bad : new String[] {TestTokens.expired(Roles.VIEWER), TestTokens.tampered(Roles.VIEWER),
                TestTokens.foreignIssuer(Roles.VIEWER), TestTokens.foreignAudience(Roles.VIEWER), "not-a-jwt"}) {
            given().auth().oauth2(bad).get("/api/runs").then().statusCode(401).contentType("application/problem+json");
        }
        given().contentType("application/json").body(INVALID_SPEC).post("/api/runs").then().statusCode(401);
    }

    @Test
    void eachRoleMayDoWhatItsNameSaysAndNoMore() {
        String viewer = TestTokens.of("vera", Roles.VIEWER);
        String submitter = TestTokens.of("sam", Roles.SUBMITTER);
        String operator = TestTokens.of("olga", Roles.OPERATOR);
        given().auth().oauth2(viewer).get("/api/runs").then().statusCode(200);
        given().auth().oauth2(viewer).get("/api/sweeps").then().statusCode(200);
        given().auth().oauth2(viewer).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                .then().statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        given().auth().oauth2(viewer).contentType("application/json").body("{}").post("/api/sweeps").then().statusCode(403);

        given().auth().oauth2(submitter).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                .then().statusCode(400).body("field", equalTo("epochs"));
        given().auth().oauth2(submitter).get("/api/runs").then().statusCode(200);
        given().auth().oauth2(viewer).delete("/api/runs/run-nope").then().statusCode(403);

        given().auth().oauth2(operator).delete("/api/runs/run-nope").then().statusCode(404);
        given().auth().oauth2(operator).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                .then().statusCode(400);
    }

    @Test
    void onlyTheSubmitterOrAnOperatorMayCancel() {
        String sam = TestTokens.of("sam", Roles.SUBMITTER);
        String runId = given().auth().oauth2(sam).contentType("application/json").body(TINY).post("/api/runs")
                .then().statusCode(202).extract().path("runId");
        given().auth().oauth2(sam).get("/api/runs/" + runId).then().body("submittedBy", equalTo("sam"));
        given().auth().oauth2(TestTokens.of("tom", Roles.SUBMITTER)).delete("/api/runs/" + runId)
                .then().statusCode(403).contentType("application/problem+json").body("detail", containsString("submitter"));
        given().auth().oauth2(sam).delete("/api/runs/" + runId).then().statusCode(202);
        given().auth().oauth2(TestTokens.of("olga", Roles.OPERATOR)).delete("/api/runs/" + runId).then().statusCode(202);
    }

    @Test
    void specsOverTheLimitsAre400sNamingTheLimit() {
        String sam = TestTokens.of("sam-limits", Roles.SUBMITTER);
        String[][] cases = {
            {"{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1000}", "epochs"},
            {"{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],"
                    + "\"limit\":100000}}", "evaluation.limit"},
            {"{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.01,0.02,"
                    + "0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.11,0.12,0.13],\"limit\":10}}", "evaluation.eps"},
            // seen in the wild: accepted (202) before attack options were capped, then held a replica for hours
            {"{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],"
                    + "\"attacks\":\"pgd:steps=900000:restarts=5000\"}}", "evaluation.attacks"},
            {"{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1,\"evaluation\":{\"eps\":[0.1],"
                    + "\"attacks\":\"spsa:iterations=1000:samples=8192\",\"limit\":10000}}", "evaluation"},
            {"{\"dataset\":\"synthetic\",\"model\":\"wrn-400-40\",\"epochs\":1}", "model"}};
        for (String[] c : cases) {
            given().auth().oauth2(sam).contentType("application/json").body(c[0]).post("/api/runs")
                    .then().statusCode(400).contentType("application/problem+json").body("field", equalTo(c[1]))
                    .body("detail", containsString("over the limit"));
        }
        String seeds = java.util.stream.IntStream.range(0, 101).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        given().auth().oauth2(sam).contentType("application/json").body("{\"executor\":\"local\",\"seeds\":[" + seeds
                + "],\"base\":{\"dataset\":\"synthetic\",\"model\":\"linear\",\"epochs\":1}}").post("/api/sweeps")
                .then().statusCode(400).body("field", equalTo("defenses")).body("detail", containsString("101 grid points"));
        given().auth().oauth2(sam).contentType("application/json").body("{\"defense\":\"" + "x".repeat(300_000) + "\"}")
                .post("/api/runs").then().statusCode(413);
    }

    @Test
    void aClientOverItsRateGets429AndOthersAreNotHeldBack() {
        String rita = TestTokens.of("rita", Roles.SUBMITTER);
        int status = 0;
        for (int i = 0; i <= 30 && status != 429; i++) {
            status = given().auth().oauth2(rita).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                    .then().extract().statusCode();
        }
        assertEquals(429, status, "the 31st submission in a minute");
        given().auth().oauth2(rita).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                .then().statusCode(429).contentType("application/problem+json").header("Retry-After", notNullValue());
        given().auth().oauth2(TestTokens.of("rob", Roles.SUBMITTER)).contentType("application/json").body(INVALID_SPEC)
                .post("/api/runs").then().statusCode(400);
    }

    @Test
    void probesMetricsAndTheContractStayOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/schemas/run-spec.v1.json").then().statusCode(200);
    }
}
