package dev.logitlab.trainer.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.model.TorchScriptArchive;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.service.InvalidFieldException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * TorchScript checkpoints from outside, in the checkpoint store: {@code external/<runId>/<step>/model.pt} with a
 * manifest ({@code manifest.json}: the announcement, its SHA-256, who sent it) and, once the broker acknowledged the
 * announcement, an {@code announced} marker (the same outbox as the trainer's own checkpoints). A checkpoint's folder
 * appears whole or not at all (written aside, then renamed), so two uploads of one step, on one replica or two,
 * cannot both win: the second finds the first, and is the same checkpoint when its bytes are, else a conflict.
 * <p>
 * A run belongs to whoever uploaded its first step ({@link RunOwners}, a link claimed atomically, whose target is the
 * owner's subject in hex): only they, or an operator, may add steps to it. A run uploaded before owners were kept
 * belongs to the submitter of its earliest stored step.
 */
@ApplicationScoped
public class ExternalCheckpoints {

    static final String FOLDER = "external";
    static final String MODEL = "model.pt";
    static final String MANIFEST = "manifest.json";
    static final String ANNOUNCED = "announced";

    /** What the store keeps beside the file; {@code announcement} is exactly what goes on Kafka. */
    public record Manifest(String schema, CheckpointCreated announcement, long bytes, String submittedBy,
                           Instant uploadedAt) {
        public static final String SCHEMA = "logitlab.external-checkpoint/v1";
    }

    /** A stored checkpoint; {@code created} is false when the same bytes were there already. */
    public record Stored(Manifest manifest, boolean created) {
    }

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Inject
    ObjectMapper json;

    @Inject
    RunOwners owners;

    /**
     * Takes the body into the store under a private name, hashing as it goes and stopping past {@code maxBytes}
     * (413); checks it is a TorchScript module (400 naming the file otherwise); then files it under its run and step.
     */
    public Stored store(Upload upload, InputStream body, long maxBytes, String submittedBy, boolean operator) {
        return store(upload, body, maxBytes, submittedBy, operator, null);
    }

    /** As {@link #store(Upload, InputStream, long, String, boolean)}, refusing bytes whose SHA-256 is not {@code sha256}. */
    public Stored store(Upload upload, InputStream body, long maxBytes, String submittedBy, boolean operator,
                        String sha256Expected) {
        if (Files.isDirectory(root().resolve("runs").resolve(upload.runId()))
                || Upload.TRAINER_RUN_ID.matcher(upload.runId()).matches()) {
            throw new ClientErrorException("run " + upload.runId() + " is, or has the form of, a run this trainer trains; "
                    + "upload under another runId", 409);
        }
        if (upload.namespace().filter(space -> !space.equals(submittedBy) && !operator).isPresent()) {
            throw new ClientErrorException("run ids beginning '" + upload.namespace().get() + "~' are the namespace of "
                    + "subject " + upload.namespace().get() + "; yours begin '" + submittedBy + "~'", 403);
        }
        // a namespace's run is its subject's; the run is claimed only once the bytes passed, so a refused upload
        // leaves no claim behind (an empty body is no way to take a name)
        String owner = owners.ownerOf(upload.runId()).orElse(upload.namespace().orElse(submittedBy));
        requireOwner(upload, owner, submittedBy, operator);
        Path incoming = root().resolve(FOLDER).resolve(".incoming").resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(incoming);
            Path file = incoming.resolve(MODEL);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long bytes;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
                bytes = copyAtMost(body, out, maxBytes);
            }
            if (bytes == 0) {
                throw new InvalidFieldException("body", "the body is empty: send the TorchScript file as "
                        + "application/octet-stream");
            }
            String sha256 = HexFormat.of().formatHex(digest.digest());
            if (sha256Expected != null && !sha256Expected.equals(sha256)) {
                throw new InvalidFieldException("sha256", "the file does not have the announced SHA-256");
            }
            try {
                TorchScriptArchive.check(file);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("body", e.getMessage());
            }
            CheckpointCreated announcement = announcement(upload, sha256);
            Manifest manifest = new Manifest(Manifest.SCHEMA, announcement, bytes, submittedBy, Instant.now());
            json.writeValue(incoming.resolve(MANIFEST).toFile(), manifest);
            // the claim, the quota and the filing under one lock per owner: uploads racing cannot pass the quota
            return owners.locked(owner, () -> {
                requireOwner(upload, owners.claim(upload.runId(), owner), submittedBy, operator);
                if (!Files.isRegularFile(folder(upload).resolve(MANIFEST))) {
                    owners.quota(owner, bytes); // the same step sent again is answered as before, quota or not
                }
                return file(upload, incoming, manifest);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the upload of " + upload.checkpointId(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } finally {
            deleteTree(incoming);
        }
    }

    private static void requireOwner(Upload upload, String owner, String submittedBy, boolean operator) {
        if (!owner.equals(submittedBy) && !operator) {
            throw new ClientErrorException("run " + upload.runId() + " belongs to another submitter; upload under a runId "
                    + "of your own", 403);
        }
    }


    /** Marks a checkpoint announced: the broker has its event. */
    public void markAnnounced(CheckpointCreated announcement) {
        try {
            Files.writeString(folder(announcement).resolve(ANNOUNCED), Instant.now().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + announcement.checkpointId() + " announced", e);
        }
    }

    public boolean announced(CheckpointCreated announcement) {
        return Files.exists(folder(announcement).resolve(ANNOUNCED));
    }

    /** Every stored checkpoint the broker never acknowledged (a restart between storing and announcing). */
    public List<CheckpointCreated> unannounced() {
        List<CheckpointCreated> pending = new ArrayList<>();
        Path external = root().resolve(FOLDER);
        if (!Files.isDirectory(external)) {
            return pending;
        }
        try (Stream<Path> manifests = Files.find(external, 3, (p, a) -> p.getFileName().toString().equals(MANIFEST)
                && !p.startsWith(external.resolve(".incoming")))) {
            for (Path m : manifests.toList()) {
                if (!Files.exists(m.resolveSibling(ANNOUNCED))) {
                    pending.add(json.readValue(m.toFile(), Manifest.class).announcement());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + external, e);
        }
        return pending;
    }

    /** The manifest of a run's step, if stored. */
    public java.util.Optional<Manifest> find(String runId, int step) {
        Path m = root().resolve(FOLDER).resolve(runId).resolve(Integer.toString(step)).resolve(MANIFEST);
        if (!Upload.RUN_ID.matcher(runId).matches() || !Files.isRegularFile(m)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(json.readValue(m.toFile(), Manifest.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + m, e);
        }
    }

    private Stored file(Upload upload, Path incoming, Manifest manifest) throws IOException {
        Path target = root().resolve(FOLDER).resolve(upload.runId()).resolve(Integer.toString(upload.step()));
        Files.createDirectories(target.getParent());
        try {
            Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
            return new Stored(manifest, true);
        } catch (java.nio.file.FileSystemException taken) {
            if (!Files.isRegularFile(target.resolve(MANIFEST))) {
                throw taken; // not a lost race: a real I/O failure
            }
            Manifest existing = json.readValue(target.resolve(MANIFEST).toFile(), Manifest.class);
            if (!existing.announcement().sha256().equals(manifest.announcement().sha256())) {
                throw new ClientErrorException("step " + upload.step() + " of run " + upload.runId() + " is taken by "
                        + "other bytes (SHA-256 " + existing.announcement().sha256() + "); upload under a new step", 409);
            }
            // The same bytes under another plan would be answered with the first plan's report: say so instead.
            if (!existing.announcement().configHash().equals(manifest.announcement().configHash())) {
                throw new ClientErrorException("step " + upload.step() + " of run " + upload.runId() + " was uploaded "
                        + "with another data set, evaluation plan or seed; upload under a new step or run", 409);
            }
            return new Stored(existing, false);
        }
    }

    private CheckpointCreated announcement(Upload upload, String sha256) {
        String uri = "file:" + FOLDER + "/" + upload.runId() + "/" + upload.step() + "/" + MODEL;
        return new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, upload.runId(), upload.checkpointId(),
                upload.step(), uri, sha256, configHash(upload), upload.seed(), upload.dataset(),
                CheckpointCreated.TORCHSCRIPT, upload.label(), upload.evaluation(), null, CheckpointCreated.TORCHSCRIPT,
                CheckpointCreated.TEST_SPLIT);
    }

    /** What the run's checkpoints are judged under: data set, split, plan and seed; the same for every step. */
    private String configHash(Upload upload) {
        Map<String, Object> config = new TreeMap<>();
        config.put("dataset", upload.dataset());
        config.put("split", CheckpointCreated.TEST_SPLIT);
        config.put("evaluation", upload.evaluation());
        config.put("seed", upload.seed());
        config.put("format", CheckpointCreated.TORCHSCRIPT);
        try {
            return Sha256.of(json.writeValueAsString(config).getBytes(StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long copyAtMost(InputStream in, OutputStream out, long maxBytes) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total <= maxBytes) {
                out.write(buffer, 0, n);
            } // past the limit: read on without keeping, so the client hears the 413 instead of a cut connection
        }
        if (total > maxBytes) {
            throw new ClientErrorException("the file is over the limit of " + maxBytes + " bytes "
                    + "(logitlab.limits.checkpoint-bytes)", 413);
        }
        return total;
    }

    private Path folder(CheckpointCreated announcement) {
        return root().resolve(FOLDER).resolve(announcement.runId()).resolve(Integer.toString(announcement.epoch()));
    }

    private Path folder(Upload upload) {
        return root().resolve(FOLDER).resolve(upload.runId()).resolve(Integer.toString(upload.step()));
    }

    private Path root() {
        return storeRoot.toAbsolutePath().normalize();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover under .incoming is harmless: nothing reads it
        }
    }
}
