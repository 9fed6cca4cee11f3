package dev.logitlab.core.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.EvaluationReport;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Models that do what a model from outside must never do to the process that evaluates it (recipe:
 * src/test/resources/torchscript/make_hostile_fixtures.py): read a file, write one, loop inside a call, allocate
 * without end, crash the process. In their workers each ends as a failure naming its cause, in words of ours; nothing
 * outside the worker changes; a model evaluated beside them gets its report. The same files run in this process
 * show that the fixtures do what they say (the two that would not hang or kill the test).
 */
class HostileModelsTest {

    static final Path DIR = Path.of("/tmp/logitlab-hostile");
    static final byte[] SECRET = "k3y-0f-an0ther-tenant".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TARGET = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final EvaluationPlan PLAN = new EvaluationPlan(List.of(0.1), List.of(), "fgsm", 20, 0, 0, 0);
    /** A cap that the JVM and libtorch fit in, and a runaway model reaches in seconds. */
    static final Sandbox SANDBOX = Sandbox.DEFAULTS.withMemory(3L << 30);

    @BeforeAll
    static void filesAModelShouldNeverReach() throws Exception {
        Files.createDirectories(DIR);
        Files.write(DIR.resolve("secret"), SECRET);
        Files.write(DIR.resolve("target"), TARGET);
        Files.setPosixFilePermissions(DIR.resolve("target"), PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(HostileModelsTest.class.getResource("/torchscript/" + name).toURI());
    }

    @Test
    void runInThisProcessTheFixturesReachTheFilesTheyName() throws Exception {
        try (Classifier model = Classifiers.open(fixture("reads_file.pt")); NDManager scope = model.manager().newSubManager()) {
            float[] logits = model.logits(Models.fashion().test().images(scope, 0, 2)).toFloatArray();
            float[] expected = new float[8];
            for (int i = 0; i < 8; i++) {
                expected[i] = SECRET[i];
            }
            assertArrayEquals(expected, java.util.Arrays.copyOf(logits, 8), "the model returned the secret's bytes");
        }
        try (Classifier model = Classifiers.open(fixture("writes_file.pt")); NDManager scope = model.manager().newSubManager()) {
            model.logits(Models.fashion().test().images(scope, 0, 2));
            assertEquals("AAAAAAAAAAAAAAAA", Files.readString(DIR.resolve("target")), "the model wrote the file");
        } finally {
            Files.write(DIR.resolve("target"), TARGET);
        }
    }

    @Test
    void aModelThatReadsAFileFindsNothingThereAndItsFailureHoldsNoneOfIt() throws Exception {
        ModelFailure failure = failure("reads_file.pt", Duration.ofMinutes(2));
        assertEquals(ModelFailure.Cause.MODEL_ERROR, failure.reason());
        assertFalse(failure.getMessage().contains("k3y") || failure.getMessage().contains("logitlab-hostile"),
                failure.getMessage());
    }

    @Test
    void aModelThatWritesAFileFindsNoneOfOursAndChangesNothing() throws Exception {
        ModelFailure failure = failure("writes_file.pt", Duration.ofMinutes(2));
        assertEquals(ModelFailure.Cause.MODEL_ERROR, failure.reason());
        assertArrayEquals(TARGET, Files.readAllBytes(DIR.resolve("target")));
    }

    @Test
    void aModelThatLoopsIsKilledAtItsDeadlineAndFailsAtOnceAfter() throws Exception {
        Dataset test = Models.fashion().test();
        try (ModelSession session = SANDBOX.session(fixture("loops.pt"), null, null, "loops", test, null, PLAN)) {
            long start = System.nanoTime();
            ModelFailure killed = assertThrows(ModelFailure.class, () -> Deadline.within(Duration.ofSeconds(3),
                    "logitlab.attack.shard-timeout", () -> new Evaluation(session, null).run("loops")));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(ModelFailure.Cause.TIME_LIMIT, killed.reason());
            assertTrue(killed.getMessage().contains("logitlab.attack.shard-timeout"), killed.getMessage());
            assertTrue(seconds < 30, "killed at its deadline, not when the loop ends: " + seconds + " s");
            long again = System.nanoTime();
            ModelFailure next = assertThrows(ModelFailure.class, () -> session.run(session.shards().shard(0), null));
            assertEquals(ModelFailure.Cause.TIME_LIMIT, next.reason());
            assertTrue((System.nanoTime() - again) / 1e9 < 1, "a killed worker is not waited for again");
        }
    }

    @Test
    void aModelThatAllocatesWithoutEndReachesItsCapAndOnlyItsWorkerSuffers() throws Exception {
        ModelFailure failure = failure("allocates.pt", Duration.ofMinutes(2));
        assertEquals(ModelFailure.Cause.MEMORY_LIMIT, failure.reason());
        assertTrue(failure.getMessage().contains("cap 3072 MiB"), failure.getMessage());
    }

    @Test
    void aModelThatCrashesItsProcessKillsOnlyItsWorker() throws Exception {
        ModelFailure failure = failure("aborts.pt", Duration.ofMinutes(2));
        assertEquals(ModelFailure.Cause.CRASHED, failure.reason());
        assertTrue(failure.getMessage().contains("signal"), failure.getMessage());
    }

    @Test
    void aModelEvaluatedBesideALoopingOneGetsItsReport() throws Exception {
        Dataset test = Models.fashion().test();
        CompletableFuture<ModelFailure> looping = CompletableFuture.supplyAsync(() -> {
            try {
                return failure("loops.pt", Duration.ofSeconds(15));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        EvaluationReport report;
        try (ModelSession session = SANDBOX.session(fixture("tiny_cnn.pt"), null, null, "tenant", test, null, PLAN)) {
            report = Deadline.within(Duration.ofSeconds(14), "test", () -> new Evaluation(session, null).run("tenant"));
        }
        assertFalse(looping.isDone(), "the looping model was still running while the other one was evaluated");
        assertEquals(20, report.examples());
        assertEquals(ModelFailure.Cause.TIME_LIMIT, looping.get().reason());
    }

    /** How evaluating a fixture in its worker fails, within {@code limit}. */
    static ModelFailure failure(String file, Duration limit) throws Exception {
        Dataset test = Models.fashion().test();
        try (ModelSession session = SANDBOX.session(fixture(file), null, null, file, test, null, PLAN)) {
            return assertThrows(ModelFailure.class, () -> Deadline.within(limit, "test",
                    () -> new Evaluation(session, null).run(file)));
        }
    }
}
