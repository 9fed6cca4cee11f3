package dev.logitlab.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.logitlab.service.KafkaBrokerResource;
import dev.logitlab.events.Roles;
import dev.logitlab.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the trainer, with real signed tokens: none or a bad one is 401, the wrong role 403 (both as
 * problem+json), the right one passes; probes and Prometheus need none.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class AuthTest {

    /** Valid JSON that fails validation: a request that gets past authorization says so with a 400. */
    static final String INVALID_SPEC = """
            {"dataset":"synthetic","model":"linear","defense":"plain","epochs":0}""";

    @Test
    void withoutATokenOrWithABadOneTheAnswerIs401() {
        given().get("/api/runs").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("detail", containsString("bearer token"));
        for (String bad : new String[] {TestTokens.expired(Roles.VIEWER), TestTokens.tampered(Roles.VIEWER),
                TestTokens.foreignIssuer(Roles.VIEWER), "not-a-jwt"}) {
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
        given().auth().oauth2(submitter).delete("/api/runs/run-nope").then().statusCode(403);

        given().auth().oauth2(operator).delete("/api/runs/run-nope").then().statusCode(404);
        given().auth().oauth2(operator).contentType("application/json").body(INVALID_SPEC).post("/api/runs")
                .then().statusCode(400);
    }

    @Test
    void probesMetricsAndTheContractStayOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/schemas/run-spec.v1.json").then().statusCode(200);
    }
}
