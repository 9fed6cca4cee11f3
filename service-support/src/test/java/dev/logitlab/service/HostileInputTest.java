package dev.logitlab.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.CheckpointIntegrityException;
import dev.logitlab.core.defense.Defense;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.model.TorchScriptArchive;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.ReportFailed;
import dev.logitlab.events.ReportProgress;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The hostile-input suite: every parser of outside input, fed what an attacker or a broken client would send, either
 * accepts it or refuses it with the clear error its callers turn into a 400, a dead letter or a refused checkpoint
 * ({@link IllegalArgumentException}, or {@link CheckpointIntegrityException} for a checkpoint's files). Any other
 * exception, a hang or a crash is a finding. Specs accepted under the default limits also plan within them.
 */
class HostileInputTest {

    /**
     * Fixed, so CI passes or fails on the same inputs on every machine; explore further by changing it (or with
     * jqwik's {@code seed} removed) and keep any input that fails as an example here.
     */
    static final String SEED = "20261130";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong TRIED = new AtomicLong();
    private static final List<Class<?>> EVENTS = List.of(CheckpointCreated.class, AttackTask.class, AttackEvent.class,
            ReportPublished.class, ReportFailed.class, ReportProgress.class, RunEvent.class, Verdict.class,
            RunSpec.class);

    @Property(tries = 400, seed = SEED)
    void attackSpecsAreAcceptedWithinTheLimitsOrRefusedClearly(@ForAll("specs") String spec) {
        refusedClearly(() -> {
            AttackSuite.validate(spec, false, CostLimits.DEFAULTS);
            // accepted: then the plan of it is bounded too (or refused naming a limit), never anything else
            AttackPhase.planWithin(new EvaluationPlan(List.of(0.1), spec, 100, 0, 0), 100, 10, CostLimits.DEFAULTS, 20);
        });
    }

    @Property(tries = 300, seed = SEED)
    void defenseSpecsAreParsedOrRefusedClearly(@ForAll("specs") String spec) {
        refusedClearly(() -> Defense.parse(spec));
    }

    @Property(tries = 300, seed = SEED)
    void modelNamesAreParsedOrRefusedClearly(@ForAll("models") String architecture) {
        refusedClearly(() -> new ModelSpec(architecture, 1, 28, 28, 10).approximateWeights());
    }

    @Property(tries = 300, seed = SEED)
    void evaluationPlansOfAnyNumbersAreMadeOrRefusedClearly(@ForAll("budgets") List<Double> eps,
                                                            @ForAll("budgets") List<Double> epsL2,
                                                            @ForAll int limit, @ForAll int gapLimit) {
        refusedClearly(() -> new EvaluationPlan(eps, epsL2, "fgsm", limit, 0, gapLimit));
    }

    @Property(tries = 150, seed = SEED)
    void everyEventReaderTakesAnyTextAndReturnsAnEventOrRefusesIt(@ForAll("records") String value) {
        for (Class<?> event : EVENTS) {
            refusedClearly(() -> StreamRecords.read(JSON, value, event));
        }
    }

    @Property(tries = 100, seed = SEED)
    void anyUploadedBytesAreATorchScriptModuleOrRefusedByName(@ForAll("files") byte[] bytes) throws Exception {
        Path file = Files.createTempFile("hostile-", ".pt");
        try {
            Files.write(file, bytes);
            refusedClearly(() -> TorchScriptArchive.check(file));
        } finally {
            Files.delete(file);
        }
    }

    @Property(tries = 100, seed = SEED)
    void anyCheckpointManifestIsReadOrRefusedClearly(@ForAll("records") String manifest) throws Exception {
        Path dir = Files.createTempDirectory("hostile-checkpoint-");
        try {
            Files.writeString(dir.resolve("checkpoint.json"), manifest);
            refusedClearly(() -> Checkpoint.load(dir));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterContainer
    static void figures() {
        System.out.println("hostile-input suite: " + TRIED.get() + " inputs tried");
    }

    /** Attack and defense specs: the real vocabulary, recombined, with numbers from 0 to 10^12 and junk between. */
    @Provide
    Arbitrary<String> specs() {
        Arbitrary<String> name = Arbitraries.of("fgsm", "pgd", "pgd-margin", "apgd-ce", "apgd-dlr", "apgd-t", "fab-t",
                "fmn", "square", "spsa", "noise", "transfer", "default", "all", "autoattack", "plain", "ls", "gn", "lsq",
                "lsqk", "als", "at", "alp", "clp", "x", "");
        Arbitrary<String> option = Arbitraries.of("steps", "step", "restarts", "targets", "queries", "p", "iterations",
                "samples", "delta", "lr", "draws", "eps", "");
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.integers().between(-5, 2_000_000).map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.of("NaN", "Infinity", "1e12", "0x10", "", "-0"));
        Arbitrary<String> part = Combinators.combine(name, option, number, Arbitraries.of(":", "=", ":=", "")).as(
                (n, o, v, sep) -> n + (o.isEmpty() ? "" : ":" + o + "=" + v) + sep);
        Arbitrary<String> joined = part.list().ofMaxSize(6).flatMap(parts -> Arbitraries.of(",", ">", " ", ",,")
                .map(j -> String.join(j, parts)));
        return Arbitraries.oneOf(joined, Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().withChars(":=,>.-0123456789eE ").ofMaxLength(40));
    }

    @Provide
    Arbitrary<String> models() {
        return Arbitraries.oneOf(Arbitraries.of("linear", "mlp", "small-cnn", "wrn-28-10", "wrn-400-40",
                        "wrn-99999999999-1", "wrn-16--4", "wrn-4-0"),
                Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as((d, w) -> "wrn-" + d + "-" + w),
                Arbitraries.strings().ofMaxLength(30));
    }

    @Provide
    Arbitrary<List<Double>> budgets() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-300))
                .injectNull(0.05).list().ofMaxSize(20).injectNull(0.1);
    }

    /** Record values: any text, JSON made of the events' own field names, and the classics of parser abuse. */
    @Provide
    Arbitrary<String> records() {
        Arbitrary<String> key = Arbitraries.of("schemaVersion", "runId", "checkpointId", "epoch", "kind", "shard",
                "shards", "outcome", "robust", "report", "reason", "spec", "evaluation", "eps", "attacks", "sha256", "uri",
                "format", "progress", "checkpoint", "files", "schema", "path", "\u0000", "");
        Arbitrary<String> scalar = Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf),
                Arbitraries.strings().ofMaxLength(12).map(s -> {
                    try {
                        return JSON.writeValueAsString(s);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }), Arbitraries.of("null", "true", "1e999999", "-1", "2147483648", "[]", "{}", "\"file:../../etc\""));
        Arbitrary<String> object = Combinators.combine(key, scalar).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(8)
                .map(fields -> "{" + String.join(",", fields) + "}");
        Arbitrary<String> nested = Arbitraries.integers().between(1, 5000).map(depth -> "[".repeat(depth) + "]".repeat(depth));
        return Arbitraries.oneOf(object, nested, Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("", " ", "null", "{", "\uFEFF{}", "{\"a\":\"\\ud800\"}", "{\"schemaVersion\":1e400}"));
    }

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
        return Arbitraries.oneOf(random, random.map(b -> {
            byte[] zipLike = new byte[b.length + 4];
            System.arraycopy(new byte[] {'P', 'K', 3, 4}, 0, zipLike, 0, 4);
            System.arraycopy(b, 0, zipLike, 4, b.length);
            return zipLike;
        }));
    }

    private static void refusedClearly(Action action) {
        TRIED.incrementAndGet();
        try {
            action.run();
        } catch (IllegalArgumentException | CheckpointIntegrityException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), "a refusal says why");
        } catch (Exception unexpected) {
            throw new AssertionError("not a clear refusal: " + unexpected, unexpected);
        }
    }

    private interface Action {
        void run() throws Exception;
    }
}
