package dev.logitlab.trainer;

import static io.restassured.RestAssured.given;
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

    static final String SWEEP = """
            {"name":"tiny","executor":"local","defenses":["plain","ls=0.3"],"seeds":[1,2],
             "base":{"dataset":"synthetic","model":"linear","epochs":1,"batchSize":50,"learningRate":0.01,
                     "evaluation":{"eps":[0.1],"attacks":"fgsm","limit":20}}}""";

    @Test
    void aSweepTrainsEveryPointOfItsGrid() {
        String sweepId = given().contentType(ContentType.JSON).body(SWEEP).when().post("/api/sweeps")
                .then().statusCode(202).body("runs", equalTo(4)).extract().path("sweepId");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/sweeps/" + sweepId)
                .then().statusCode(200)
                .body("points.size()", equalTo(4))
                .body("points.status", everyItem(equalTo("SUCCEEDED"))));
        List<String> defenses = given().get("/api/sweeps/" + sweepId).then().extract().path("points.spec.defense");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("plain", "plain", "ls=0.3", "ls=0.3"), defenses);
        given().delete("/api/sweeps/" + sweepId).then().statusCode(202);
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
