package dev.logitlab.core.checkpoint;

import dev.logitlab.core.Json;
import dev.logitlab.core.model.Network;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A checkpoint directory {@code <run>/epoch-NNN/}: {@code checkpoint.json}, the parameter file and the
 * optimiser state. Loading verifies every file's SHA-256 and never reads outside the directory.
 */
public record Checkpoint(Path directory, CheckpointManifest manifest) {

    public static final String MANIFEST = "checkpoint.json";
    public static final String PARAMETERS = "model.params";
    public static final String OPTIMIZER_STATE = "optimizer.state";

    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{3,})");

    public static String directoryName(int epoch) {
        return String.format("epoch-%03d", epoch);
    }

    /** Reads and verifies a checkpoint directory (or its {@code checkpoint.json}). */
    public static Checkpoint load(Path path) {
        Path dir = Files.isDirectory(path) ? path : path.getParent();
        CheckpointManifest manifest;
        try {
            manifest = Json.MAPPER.readValue(dir.resolve(MANIFEST).toFile(), CheckpointManifest.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(dir + " is not a logitlab checkpoint (no " + MANIFEST + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + dir.resolve(MANIFEST) + ": " + e.getMessage(), e);
        }
        if (!CheckpointManifest.SCHEMA.equals(manifest.schema())) {
            throw new IllegalArgumentException(dir + ": unsupported checkpoint schema '" + manifest.schema()
                    + "' (this version reads " + CheckpointManifest.SCHEMA + ")");
        }
        if (manifest.files() == null || manifest.files().isEmpty()) {
            throw new CheckpointIntegrityException(dir + ": " + MANIFEST + " lists no files");
        }
        Checkpoint checkpoint = new Checkpoint(dir, manifest);
        for (CheckpointManifest.FileDigest file : manifest.files()) {
            String actual = Sha256.of(checkpoint.resolve(file.path()));
            if (!actual.equalsIgnoreCase(file.sha256())) {
                throw new CheckpointIntegrityException("checkpoint " + dir + ": " + file.path() + " has SHA-256 "
                        + actual + " but " + MANIFEST + " says " + file.sha256() + "; refusing to load it");
            }
        }
        return checkpoint;
    }

    /** Every checkpoint of a run directory, by epoch (none when the directory does not exist). */
    public static List<Checkpoint> all(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            return java.util.List.of();
        }
        try (Stream<Path> children = Files.list(runDir)) {
            return children
                    .filter(p -> EPOCH_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
                    .sorted(java.util.Comparator.comparingInt(Checkpoint::epochOf))
                    .map(Checkpoint::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir, e);
        }
    }

    /** The newest complete checkpoint of a run directory, verified; empty when there is none. */
    public static Optional<Checkpoint> latest(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(runDir)) {
            return children
                    .filter(p -> EPOCH_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
                    .max((a, b) -> Integer.compare(epochOf(a), epochOf(b)))
                    .map(Checkpoint::load);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir, e);
        }
    }

    /**
     * Writes a checkpoint atomically: everything goes to a temporary directory that is renamed into place,
     * so an interrupted run never leaves a half-written checkpoint behind.
     */
    public static Checkpoint write(Path runDir, int epoch, Network network, IoConsumer<DataOutputStream> optimizerState,
                                   java.util.function.Function<List<CheckpointManifest.FileDigest>, CheckpointManifest> manifest) {
        Path target = runDir.resolve(directoryName(epoch));
        Path temporary = runDir.resolve(directoryName(epoch) + ".tmp");
        try {
            Files.createDirectories(temporary);
            network.saveParameters(temporary.resolve(PARAMETERS));
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(temporary.resolve(OPTIMIZER_STATE))))) {
                optimizerState.accept(out);
            }
            List<CheckpointManifest.FileDigest> files = List.of(
                    new CheckpointManifest.FileDigest(PARAMETERS, Sha256.of(temporary.resolve(PARAMETERS))),
                    new CheckpointManifest.FileDigest(OPTIMIZER_STATE, Sha256.of(temporary.resolve(OPTIMIZER_STATE))));
            CheckpointManifest written = manifest.apply(files);
            Json.PRETTY.writeValue(temporary.resolve(MANIFEST).toFile(), written);
            deleteRecursively(target);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            return new Checkpoint(target, written);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** The network of this checkpoint with its saved parameters. */
    public Network network() {
        return Network.load(manifest.model(), resolve(manifest.parameters().path()));
    }

    /** Reads the optimiser state file. */
    public void readOptimizerState(IoConsumer<DataInputStream> reader) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                Files.newInputStream(resolve(OPTIMIZER_STATE))))) {
            reader.accept(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read optimizer state of " + directory + ": " + e.getMessage(), e);
        }
    }

    /** A checkpoint file, refusing any path that escapes the checkpoint directory. */
    public Path resolve(String relative) {
        Path base = directory.toAbsolutePath().normalize();
        Path file = base.resolve(relative).normalize();
        if (!file.startsWith(base) || file.equals(base)) {
            throw new CheckpointIntegrityException("checkpoint " + directory + ": file path '" + relative
                    + "' points outside the checkpoint directory");
        }
        return file;
    }

    /** A reader that may fail with an I/O error. */
    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T value) throws IOException;
    }

    private static int epochOf(Path dir) {
        var m = EPOCH_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
