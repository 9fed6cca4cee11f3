package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.cli.Lab;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.events.Roles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploaded models that do what no model may, on the real local stack: read a file of the machine, write one, loop
 * inside a call, allocate without end, crash their process. Each ends as one failed report whose reason names the
 * cause in words of ours; the files they aimed at and the stack's signing key are unchanged; a tenant's model uploaded
 * beside them gets its report; the services are the same processes at the end, all ready.
 */
class SandboxStackTest {

    static final Path DIR = Path.of("/tmp/logitlab-hostile");
    static final byte[] SECRET = "k3y-0f-an0ther-tenant".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TARGET = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Each hostile fixture and the code its failure must carry. */
    static final Map<String, String> HOSTILE = new LinkedHashMap<>(Map.of("reads_file", "[model-error]",
            "writes_file", "[model-error]", "loops", "[time-limit]", "allocates", "[memory-limit]",
            "aborts", "[worker-crashed]"));

    @TempDir
    Path home;

    @Test
    void hostileModelsFailNamingWhyAndTheTenantBesideThemGetsItsReport() throws Exception {
        Files.createDirectories(DIR);
        Files.write(DIR.resolve("secret"), SECRET);
        Files.write(DIR.resolve("target"), TARGET);
        Files.setPosixFilePermissions(DIR.resolve("target"), PosixFilePermissions.fromString("rw-rw-rw-"));
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        // limits short enough for a test, the same mechanism as the defaults
        Map<String, String> limits = Map.of("LOGITLAB_SHARD_TIMEOUT", "PT20S", "LOGITLAB_ATTACK_ARRIVAL_TIMEOUT", "PT20S",
                "LOGITLAB_ANALYSIS_TIMEOUT", "PT30S", "LOGITLAB_SANDBOX_MEMORY", "3g");
        try {
            stack.up();
            for (String service : List.of("attack-1", "analysis-1")) {
                stack.stop(service);
                stack.start(config.component(service), limits);
                stack.awaitReady(config.component(service));
            }
            Map<String, Optional<Long>> pids = new LinkedHashMap<>();
            for (String service : List.of("trainer", "attack-1", "analysis-1")) {
                pids.put(service, stack.pid(service));
            }
            String key = Sha256.of(config.home().resolve("jwt/private.pem"));
            String token = stack.tokens().token("mallory", Duration.ofMinutes(30), Roles.SUBMITTER);
            Path fixtures = config.repository().resolve("core/src/test/resources/torchscript");
            for (String name : HOSTILE.keySet()) {
                assertEquals(0, submit(config, token, fixtures.resolve(name + ".pt"), "hostile-" + name.replace('_', '-'),
                        false).code(), name);
            }
            Submitted tenant = submit(config, stack.tokens().token("alice", Duration.ofMinutes(30), Roles.SUBMITTER),
                    fixtures.resolve("tiny_cnn.pt"), "tenant", true);
            assertEquals(0, tenant.code(), tenant.output() + "\nstack log:\n" + log);
            assertTrue(tenant.output().contains("fgsm"), "the tenant's report: " + tenant.output());

            for (Map.Entry<String, String> h : HOSTILE.entrySet()) {
                JsonNode outcome = TestStacks.awaitReport(config.kafkaClient(),
                        "hostile-" + h.getKey().replace('_', '-') + "/step-000001");
                String reason = outcome.path("reason").asText();
                System.out.println("sandbox stack: " + h.getKey() + ": " + reason);
                assertFalse(outcome.has("report"), h.getKey() + " got a report: " + outcome);
                assertTrue(reason.contains(h.getValue()), h.getKey() + ": " + reason);
                assertFalse(reason.contains("k3y") || reason.contains("logitlab-hostile") || reason.contains("Traceback"),
                        h.getKey() + ": the reason holds the model's words: " + reason);
            }
            assertArrayEquals(TARGET, Files.readAllBytes(DIR.resolve("target")), "the file a model wrote to");
            assertEquals(key, Sha256.of(config.home().resolve("jwt/private.pem")), "the stack's signing key");
            for (Map.Entry<String, Optional<Long>> p : pids.entrySet()) {
                assertTrue(stack.alive(p.getKey()), p.getKey() + " died; stack log:\n" + log);
                assertEquals(p.getValue(), stack.pid(p.getKey()), p.getKey() + " was restarted");
            }
        } finally {
            stack.down();
        }
    }

    record Submitted(int code, String output) {
    }

    private static Submitted submit(StackConfig config, String token, Path model, String run, boolean await) {
        StringWriter out = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("submit", model.toString(), "--run", run, "--step", "1",
                "--dataset", "fashion-mnist", "--attacks", "fgsm", "--limit", "20", "--gaps", "0", "--token", token,
                "--trainer-url", config.url("trainer"), "--analysis-url", config.url("analysis")));
        if (await) {
            args.addAll(List.of("--wait", "--timeout", "4m"));
        }
        int code = Lab.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute(args.toArray(String[]::new));
        return new Submitted(code, out.toString());
    }
}
