package dev.logitlab.core.model;

import dev.logitlab.core.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens whatever the user points at: a checkpoint directory, its checkpoint.json, or a TorchScript file. */
public final class Classifiers {

    private Classifiers() {
    }

    public static Classifier open(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model " + path + " does not exist");
        }
        if (Files.isDirectory(path) || path.getFileName().toString().equals(Checkpoint.MANIFEST)) {
            Checkpoint checkpoint = Checkpoint.load(path);
            return new NetworkClassifier(checkpoint.network(), checkpoint.manifest().checkpointId());
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ts")) {
            return new TorchScriptClassifier(path);
        }
        throw new IllegalArgumentException("model " + path + " is neither a logitlab checkpoint directory nor a "
                + "TorchScript file (.pt)");
    }
}
