package dev.logitlab.service;

import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.CheckpointIntegrityException;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.events.CheckpointCreated;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The checkpoint store: a root directory ({@code logitlab.store.root}; a ReadWriteMany volume on Kubernetes).
 * Event URIs are {@code file:} paths relative to it; nothing outside it is ever read, by name or through a
 * symbolic link.
 */
@ApplicationScoped
public class CheckpointStore {

    @ConfigProperty(name = "logitlab.store.root")
    Path root;

    @ConfigProperty(name = "logitlab.data-dir")
    java.util.Optional<Path> dataDir;

    @Inject
    SandboxConfig sandbox;

    /** The root, for services that keep their own files beside the checkpoints. */
    public Path root() {
        return root.toAbsolutePath().normalize();
    }

    /**
     * Loads the checkpoint of an event after checking that its parameter file has the event's SHA-256 (and
     * every file the manifest's); throws {@link CheckpointIntegrityException} saying why when it does not, and
     * {@link Transient.TransientException} when the directory is not there (yet).
     */
    public Checkpoint open(CheckpointCreated event) {
        Path dir = resolve(event.uri());
        if (!Files.isDirectory(dir)) {
            // On a shared volume a checkpoint may be announced before this node sees it: worth another try.
            throw new Transient.TransientException("checkpoint " + event.checkpointId() + " is not in the store at " + dir);
        }
        Checkpoint checkpoint = Checkpoint.load(dir);
        String sha = checkpoint.manifest().parameters().sha256();
        if (!sha.equalsIgnoreCase(event.sha256())) {
            // the stored file's own hash is never told: a refusal must not be a way to learn another run's files
            throw new CheckpointIntegrityException("checkpoint " + event.checkpointId() + ": the parameter file's "
                    + "SHA-256 does not match the event's " + event.sha256());
        }
        return checkpoint;
    }

    /**
     * The session of the model an event announces, verified, on {@code test} under {@code plan}: a logitlab
     * checkpoint's network runs in this process (weights in our format, run by our code); a TorchScript file is code,
     * so it runs in a sandboxed worker ({@link SandboxConfig}), from a private copy whose SHA-256 is the event's.
     * Throws as {@link #open} does.
     */
    public ModelSession session(CheckpointCreated event, Dataset test, EvaluationPlan plan) {
        if (!event.torchScript()) {
            Classifier network = new NetworkClassifier(open(event).network(), event.checkpointId());
            return ModelSession.inProcess(network, test, plan, null);
        }
        Path file = resolve(event.uri());
        if (!Files.isRegularFile(file)) {
            throw new Transient.TransientException("TorchScript file of " + event.checkpointId() + " is not in the store at "
                    + event.uri());
        }
        return sandbox.sandbox().session(file, event.sha256(), null, event.checkpointId(), test, dataDir.orElse(null),
                plan);
    }

    /** A {@code file:} URI relative to the root, refusing anything that escapes it, by name or by a symbolic link. */
    public Path resolve(String uri) {
        if (uri == null || !uri.startsWith("file:")) {
            throw new CheckpointIntegrityException("unsupported checkpoint URI '" + uri + "' (expected file:<path>)");
        }
        Path path = root().resolve(uri.substring("file:".length())).normalize();
        if (!path.startsWith(root())) {
            throw new CheckpointIntegrityException("checkpoint URI '" + uri + "' points outside the store");
        }
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(root().toRealPath())) {
                throw new CheckpointIntegrityException("checkpoint URI '" + uri + "' leads outside the store through a "
                        + "symbolic link");
            }
            return real;
        } catch (java.nio.file.NoSuchFileException e) {
            return path; // not there (yet): the caller says so
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot resolve " + path + ": " + e.getMessage(), e);
        }
    }
}
