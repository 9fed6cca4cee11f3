package dev.logitlab.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.logitlab.core.Json;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.defense.Defense;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What a training run does. {@link #configHash()} identifies it: the same hash means the same data slice,
 * network, objective, optimiser and seed (the epoch count is left out, so a run can be extended).
 */
public record TrainingConfig(
        String dataset,
        String model,
        String defense,
        int epochs,
        int trainLimit,
        int testLimit,
        int batchSize,
        double learningRate,
        String optimizer,
        long seed) {


    public TrainingConfig {
        require(dataset != null && !dataset.isBlank(), "dataset", "is required");
        require(model != null && !model.isBlank(), "model", "is required");
        defense = Defense.parse(defense == null ? "plain" : defense).spec();
        require(epochs >= 1 && epochs <= 10_000, "epochs", "must be in 1..10000, got " + epochs);
        require(trainLimit >= 0, "trainLimit", "must be ≥ 0 (0 = all), got " + trainLimit);
        require(testLimit >= 0, "testLimit", "must be ≥ 0 (0 = all), got " + testLimit);
        require(batchSize >= 1 && batchSize <= 65_536, "batchSize", "must be in 1..65536, got " + batchSize);
        require(learningRate > 0 && learningRate < 10, "learningRate", "must be in (0, 10), got " + learningRate);
        optimizer = optimizer == null ? "adam" : optimizer.toLowerCase(Locale.ROOT);
        require(optimizer.equals("adam") || optimizer.equals("sgd"), "optimizer", "must be adam or sgd, got " + optimizer);
    }

    public TrainingConfig withEpochs(int newEpochs) {
        return new TrainingConfig(dataset, model, defense, newEpochs, trainLimit, testLimit, batchSize, learningRate,
                optimizer, seed);
    }

    public Defense parsedDefense() {
        return Defense.parse(defense);
    }

    /** SHA-256 of the canonical JSON of everything but the epoch count. */
    public String configHash() {
        try {
            String canonical = Json.MAPPER.writeValueAsString(withEpochs(1));
            return Sha256.of(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A readable default run id: model, defense and seed, plus the config hash's first 8 hex digits. */
    public String defaultRunId() {
        String slug = defense.replaceAll("[^a-z0-9.]+", "-");
        return model + "-" + slug + "-s" + seed + "-" + configHash().substring(0, 8);
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidConfigException(field, field + " " + message);
        }
    }

    /** A config value is out of range; {@link #field()} names it (REST answers name it too). */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private final String field;

        public InvalidConfigException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
