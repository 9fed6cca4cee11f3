package dev.logitlab.core.checkpoint;

import dev.logitlab.core.Json;
import dev.logitlab.core.model.Network;
import java.io.ByteArrayInputStream;
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
 * optimiser state. Loading verifies every file's SHA-256 and never reads outside the directory, by name or through
 * a symbolic link; the parameters and optimiser state are read once, and the bytes hashed are the bytes used.
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
            manifest = Json.MAPPER.readValue(within(dir, dir.resolve(MANIFEST)).toFile(), CheckpointManifest.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(dir + " is not a logitlab checkpoint (no " + MANIFEST + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + dir.resolve(MANIFEST) + ": " + e.getMessage(), e);
        }
        if (manifest == null) { // the file holds JSON null
            throw new IllegalArgumentException(dir + " is not a logitlab checkpoint (" + MANIFEST + " is empty)");
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
                throw new CheckpointIntegrityException("checkpoint " + dir.getFileName() + ": " + file.path()
                        + " does not have the SHA-256 " + MANIFEST + " says; refusing to load it");
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
        Path temporary = null;
        try {
            // A name of its own: another replica (or a training Job) may be writing the same epoch right now.
            temporary = Files.createTempDirectory(Files.createDirectories(runDir), directoryName(epoch) + ".tmp-");
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
            temporary = null;
            return new Checkpoint(target, written);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    deleteRecursively(temporary);
                } catch (IOException e) {
                    // a leftover .tmp- directory is ignored by every reader
                }
            }
        }
    }

    /** The network of this checkpoint with its saved parameters (verified as read). */
    public Network network() {
        String file = manifest.parameters().path();
        return Network.load(manifest.model(), new ByteArrayInputStream(verifiedBytes(file)), directory.resolve(file).toString());
    }

    /** Loads this checkpoint's parameters (verified as read) into a network of its spec, to resume training. */
    public void loadParametersInto(Network network) {
        String file = manifest.parameters().path();
        network.loadParameters(new ByteArrayInputStream(verifiedBytes(file)), directory.resolve(file).toString());
    }

    /** Reads the optimiser state file (verified as read). */
    public void readOptimizerState(IoConsumer<DataInputStream> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(verifiedBytes(OPTIMIZER_STATE)))) {
            reader.accept(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read optimizer state of " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file's bytes, read once and checked against the manifest's SHA-256, so what is used is what was verified
     * (a file swapped after {@link #load} is refused, not used).
     */
    byte[] verifiedBytes(String relative) {
        CheckpointManifest.FileDigest digest = manifest.files().stream().filter(f -> f.path().equals(relative))
                .findFirst().orElseThrow(() -> new CheckpointIntegrityException("checkpoint " + directory + ": "
                        + relative + " is not listed in " + MANIFEST));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + relative + " of " + directory + ": " + e.getMessage(), e);
        }
        String actual = Sha256.of(bytes);
        if (!actual.equalsIgnoreCase(digest.sha256())) {
            throw new CheckpointIntegrityException("checkpoint " + directory.getFileName() + ": " + relative
                    + " does not have the SHA-256 " + MANIFEST + " says; refusing to load it");
        }
        return bytes;
    }

    /** A checkpoint file, refusing any path that escapes the checkpoint directory, by name or by a symbolic link. */
    public Path resolve(String relative) {
        Path base = directory.toAbsolutePath().normalize();
        Path file = base.resolve(relative).normalize();
        if (!file.startsWith(base) || file.equals(base)) {
            throw new CheckpointIntegrityException("checkpoint " + directory + ": file path '" + relative
                    + "' points outside the checkpoint directory");
        }
        return within(base, file);
    }

    /** {@code file} as it really is, refused when a symbolic link takes it outside {@code base}; as is when missing. */
    private static Path within(Path base, Path file) {
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new CheckpointIntegrityException("checkpoint " + base + ": " + base.relativize(file)
                        + " is a symbolic link to " + real + ", outside the checkpoint directory");
            }
            return real;
        } catch (NoSuchFileException e) {
            return file; // reading it will say it is missing
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + file + ": " + e.getMessage(), e);
        }
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
