package dev.logitlab.core.sandbox;

import dev.logitlab.core.checkpoint.CheckpointIntegrityException;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.model.TorchScriptArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where a model from outside runs: a {@link ModelWorker} process of its own that sees its model, the data set, the
 * libraries it needs and a scratch folder in memory, and nothing else; it holds no credential and reaches nothing
 * over a network. A TorchScript file is a program ({@code torch.from_file} maps any file the process can open, a
 * {@code while} loop runs inside one native call), so no process that holds a secret ever runs one. Every request
 * to the worker has a deadline that kills it, and its memory is capped.
 *
 * @param walls      how the worker is walled off: {@link Walls#BUBBLEWRAP} here, {@link Walls#CONTAINER} where
 *                   the container it runs in is the wall (the chart's model runner)
 * @param memory     the worker's address-space cap in bytes: past it a tensor fails to allocate, in the worker only
 * @param startLimit how long starting the worker and loading the model may take
 * @param callLimit  the longest any one request may take when the caller set no {@link Deadline}
 * @param scratch    the size of the worker's in-memory scratch folder, and of any file it writes, in bytes
 * @param runner     a {@link ModelRunner}'s socket: workers are started there rather than here (null: here)
 */
public record Sandbox(Walls walls, long memory, Duration startLimit, Duration callLimit, long scratch, Path runner) {

    /** The kernel's walls, through a well-kept tool, or the container's. */
    public enum Walls {
        /** bubblewrap: new user, PID, network, IPC, UTS and mount namespaces, read-only binds, no capabilities. */
        BUBBLEWRAP,
        /** A plain child process: the container it runs in holds no secret and caps its memory. */
        CONTAINER
    }

    /** 6 GiB: the JVM and libtorch reserve about 1.5 GiB of address space before a model runs. */
    public static final long DEFAULT_MEMORY = 6L << 30;

    public static final Sandbox DEFAULTS = new Sandbox(Walls.BUBBLEWRAP, DEFAULT_MEMORY, Duration.ofMinutes(2),
            Duration.ofMinutes(10), 256L << 20, null);

    public Sandbox {
        if (memory < (2L << 30)) {
            throw new IllegalArgumentException("a model worker needs at least 2 GiB of address space (the JVM and "
                    + "libtorch take 1.5), not " + memory + " bytes");
        }
    }

    /** Parses a size such as {@code 6g}, {@code 512m} or a number of bytes. */
    public static long bytes(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }

    public Sandbox withWalls(Walls walls) {
        return new Sandbox(walls, memory, startLimit, callLimit, scratch, runner);
    }

    public Sandbox withMemory(long memory) {
        return new Sandbox(walls, memory, startLimit, callLimit, scratch, runner);
    }

    public Sandbox withCallLimit(Duration callLimit) {
        return new Sandbox(walls, memory, startLimit, callLimit, scratch, runner);
    }

    public Sandbox withStartLimit(Duration startLimit) {
        return new Sandbox(walls, memory, startLimit, callLimit, scratch, runner);
    }

    public Sandbox withRunner(Path runner) {
        return new Sandbox(walls, memory, startLimit, callLimit, scratch, runner);
    }

    /**
     * The session of a TorchScript model from outside, run in a worker of its own on {@code test} under
     * {@code plan}: {@code model} is copied first, and refused when the copy's SHA-256 is not {@code sha256} (null:
     * not checked) or when it is no TorchScript module by its structure; {@code surrogate}, another TorchScript file
     * for the transfer attack, runs beside it (null: none). {@code dataDir}: where the data set is looked for (null:
     * where {@link Datasets} looks). Loading happens within the start limit.
     */
    public ModelSession session(Path model, String sha256, Path surrogate, String description, Dataset test,
                                Path dataDir, EvaluationPlan plan) {
        Path copies;
        try {
            copies = Files.createTempDirectory("logitlab-model-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model", e);
        }
        try {
            Path modelCopy = copy(model, copies.resolve("model.pt"), sha256);
            Path surrogateCopy = surrogate == null ? null : copy(surrogate, copies.resolve("surrogate.pt"), null);
            ShardPlan shards = AttackPhase.plan(plan, test, surrogate == null ? null : surrogate.toString());
            Worker worker = runner == null ? Worker.spawn(this, Datasets.directory(test.baseName(), dataDir), description)
                    : Worker.viaRunner(this, test.baseName(), description);
            SandboxedSession session = new SandboxedSession(worker, description, test, plan, shards);
            try {
                Deadline.within(startLimit, "the sandbox's start limit", () -> {
                    session.open(test.baseName(), modelCopy, surrogateCopy);
                    return null;
                });
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return session;
        } finally {
            try (var files = Files.list(copies)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(copies);
            } catch (IOException ignored) {
                // left in the temporary folder
            }
        }
    }

    /** A private copy of a model file, hashed as it is copied: the bytes checked are the bytes the worker gets. */
    private static Path copy(Path from, Path to, String sha256) {
        String actual = Sha256.copy(from, to);
        if (sha256 != null && !actual.equalsIgnoreCase(sha256)) {
            // what the file's hash is stays unsaid: a refusal must not be a way to learn a stored file's hash
            throw new CheckpointIntegrityException("TorchScript file " + from.getFileName() + " does not have the SHA-256 "
                    + "the announcement says, " + sha256 + "; refusing to load it");
        }
        try {
            TorchScriptArchive.check(to); // its structure, read here: nothing in it runs
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(from.getFileName() + ": " + e.getMessage(), e);
        }
        return to;
    }
}
