package dev.logitlab.system;

import dev.logitlab.cli.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.images.Libtorch;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.Roles;
import dev.logitlab.events.ReportPublished;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stack smoke test: the real broker and the three packaged services as separate processes, on free ports — up,
 * a tiny run submitted over REST, its report read from logitlab.reports, down, and nothing left listening.
 */
class LocalStackTest {

    @TempDir
    Path home;

    @Test
    void upSubmitReportDown() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        int[] ports = {config.kafkaPort(), config.controllerPort(), config.trainerPort(), config.attackPort(),
            config.analysisPort()};
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        try {
            stack.up();
            assertTrue(stack.isUp(), log.toString());
            for (StackConfig.Component c : config.services()) { // libtorch's freed activations stay in the process
                long pid = stack.pid(c.name()).orElseThrow();
                String environ = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/environ"));
                // glibc parses the value in place, cutting it after its first tunable: that much must be ours
                String tunables = List.of(environ.split("\0")).stream().filter(e -> e.startsWith("GLIBC_TUNABLES="))
                        .findFirst().orElse("GLIBC_TUNABLES=(none)").substring("GLIBC_TUNABLES=".length());
                assertTrue(tunables.startsWith("glibc.malloc.") && Libtorch.MALLOC_TUNABLES.startsWith(tunables),
                        c.name() + ": " + tunables);
            }
            String body = """
                    {"dataset":"synthetic","model":"linear","epochs":1,"batchSize":50,"learningRate":0.01,"seed":3,
                     "evaluation":{"eps":[0.1],"attacks":"fgsm,pgd:steps=3","limit":30,"gapLimit":5}}""";
            HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(config.url("trainer") + "/api/runs"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            // Nobody gets in without a token of the stack's own key; ./lab token's submitter token gets a 202.
            HttpResponse<String> response = HttpClient.newHttpClient().send(post.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, response.statusCode(), response.body());
            String viewer = stack.tokens().token("vera", java.time.Duration.ofMinutes(5), Roles.VIEWER);
            response = HttpClient.newHttpClient().send(post.copy().header("Authorization", "Bearer " + viewer).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, response.statusCode(), response.body());
            StringWriter printed = new StringWriter();
            picocli.CommandLine lab = Lab.commandLine().setOut(new PrintWriter(printed, true));
            assertEquals(0, lab.execute("token", "--role", "submitter", "--home", config.home().toString()));
            response = HttpClient.newHttpClient().send(post.copy().header("Authorization", "Bearer " + printed.toString().trim())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, response.statusCode(), response.body());
            String runId = new ObjectMapper().readTree(response.body()).get("runId").asText();

            JsonNode report = TestStacks.awaitReport(config.kafkaClient(), runId + "/epoch-001");
            assertEquals(List.of(), EventSchemas.violations(ReportPublished.class, report));
            assertEquals(runId, report.get("runId").asText());
        } finally {
            stack.down();
        }
        for (int port : ports) {
            assertTrue(TestStacks.free(port), "port " + port + " still listening after down");
        }
    }

    @Test
    void aTakenPortIsAClearErrorAndNothingStarts() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        int[] ports = {config.kafkaPort(), config.controllerPort(), config.trainerPort(), config.attackPort(),
            config.analysisPort()};
        try (ServerSocket taken = new ServerSocket(ports[3])) {
            var error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new LocalStack(config, new PrintWriter(new StringWriter(), true)).up());
            assertTrue(error.getMessage().contains("port " + ports[3] + " is already in use"), error.getMessage());
        }
        assertTrue(TestStacks.free(ports[0]), "the broker must not have been started");
    }
}
