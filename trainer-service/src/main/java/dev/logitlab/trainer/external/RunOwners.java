package dev.logitlab.trainer.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.trainer.SubmissionLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ClientErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who owns each outside run, and what their runs hold. A run belongs to whoever stored its first step
 * ({@value #OWNER}, a link claimed atomically, whose target is the owner's subject in hex), or to the subject whose
 * namespace its id is in; a run stored before owners were kept belongs to the submitter of its earliest step. Claims,
 * quotas and filing run under one lock per owner, so uploads racing on any replicas cannot pass a quota.
 */
@ApplicationScoped
public class RunOwners {

    static final String OWNER = ".owner";

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Inject
    ObjectMapper json;

    @Inject
    SubmissionLimits limits;

    /** The run's owner if it has one: its claim, or for a run stored before claims, its earliest step's submitter. */
    public java.util.Optional<String> ownerOf(String runId) {
        Path run = root().resolve(ExternalCheckpoints.FOLDER).resolve(runId);
        try {
            java.util.Optional<String> claimed = claimed(run);
            return claimed.isPresent() || !Files.isDirectory(run) ? claimed : earliestSubmitter(run);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of run " + runId, e);
        }
    }

    interface Work<T> {
        T run() throws IOException;
    }

    private final Map<String, Object> monitors = new java.util.concurrent.ConcurrentHashMap<>();

    /** Runs {@code work} holding the owner's lock: a monitor in this process, a file lock across replicas. */
    <T> T locked(String owner, Work<T> work) throws IOException {
        String name = Sha256.of(owner.getBytes(StandardCharsets.UTF_8));
        Path lock = Files.createDirectories(root().resolve(ExternalCheckpoints.FOLDER).resolve(".locks")).resolve(name);
        synchronized (monitors.computeIfAbsent(name, n -> new Object())) {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = channel.lock()) {
                return work.run();
            }
        }
    }

    /**
     * The run's owner, claiming it for {@code subject} if nobody has: creating a link is atomic and fails when one
     * exists, so of two first uploads on any replicas exactly one owns the run.
     */
    String claim(String runId, String subject) {
        Path run = root().resolve(ExternalCheckpoints.FOLDER).resolve(runId);
        Path owner = run.resolve(OWNER);
        try {
            Files.createDirectories(run);
            if (!Files.isSymbolicLink(owner)) {
                String first = earliestSubmitter(run).orElse(subject);
                Path hex = Path.of(HexFormat.of().formatHex(first.getBytes(StandardCharsets.UTF_8)));
                try {
                    Files.createSymbolicLink(owner, hex);
                } catch (java.nio.file.FileAlreadyExistsException lost) {
                    // another upload claimed it first: its claim stands
                }
            }
            return claimed(run).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of run " + runId, e);
        }
    }

    /** The subject the run's {@value #OWNER} link names, if it has one. */
    private static java.util.Optional<String> claimed(Path run) throws IOException {
        Path link = run.resolve(OWNER);
        return Files.isSymbolicLink(link) ? java.util.Optional.of(new String(HexFormat.of().parseHex(
                Files.readSymbolicLink(link).toString()), StandardCharsets.UTF_8)) : java.util.Optional.empty();
    }

    /**
     * Refuses (413) a checkpoint that would take its owner past their share of the store: {@code subjectBytes} and
     * {@code subjectCheckpoints} of outside checkpoints over all the runs they own. Counted from the manifests, so
     * nothing kept in memory can drift from the store; called under the owner's lock, so uploads racing cannot pass it.
     */
    void quota(String owner, long bytes) throws IOException {
        long held = 0;
        int files = 0;
        Path external = root().resolve(ExternalCheckpoints.FOLDER);
        try (Stream<Path> runs = Files.list(external)) {
            for (Path run : runs.filter(r -> !r.getFileName().toString().startsWith(".")).toList()) {
                if (!claimed(run).filter(owner::equals).isPresent()) {
                    continue;
                }
                try (Stream<Path> steps = Files.list(run)) {
                    for (Path m : steps.map(p -> p.resolve(ExternalCheckpoints.MANIFEST)).filter(Files::isRegularFile).toList()) {
                        held += json.readValue(m.toFile(), ExternalCheckpoints.Manifest.class).bytes();
                        files++;
                    }
                }
            }
        }
        if (held + bytes > limits.subjectBytes() || files + 1 > limits.subjectCheckpoints()) {
            throw new ClientErrorException(owner + "'s runs hold " + files + " checkpoints of " + held + " bytes; this one "
                    + "would pass the quota of " + limits.subjectCheckpoints() + " checkpoints or " + limits.subjectBytes()
                    + " bytes (logitlab.limits.subject-checkpoints, logitlab.limits.subject-bytes): delete runs or ask an "
                    + "operator", 413);
        }
    }

    /** Who uploaded a run's earliest stored step, for runs uploaded before owners were kept. */
    private java.util.Optional<String> earliestSubmitter(Path run) throws IOException {
        try (Stream<Path> steps = Files.list(run)) {
            return steps.filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .min(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
                    .map(p -> p.resolve(ExternalCheckpoints.MANIFEST)).filter(Files::isRegularFile).map(m -> {
                        try {
                            return json.readValue(m.toFile(), ExternalCheckpoints.Manifest.class).submittedBy();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }

    private Path root() {
        return storeRoot.toAbsolutePath().normalize();
    }
}
