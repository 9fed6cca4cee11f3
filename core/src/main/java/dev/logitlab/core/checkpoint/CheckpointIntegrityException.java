package dev.logitlab.core.checkpoint;

/** A checkpoint's files do not match their SHA-256 in {@code checkpoint.json}, or point outside it. */
public final class CheckpointIntegrityException extends IllegalStateException {

    public CheckpointIntegrityException(String message) {
        super(message);
    }
}
