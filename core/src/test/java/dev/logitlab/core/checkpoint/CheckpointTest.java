package dev.logitlab.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.logitlab.core.Json;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    private Checkpoint checkpoint;

    @BeforeEach
    void train() {
        TrainingConfig config = new TrainingConfig("synthetic", "small-cnn", "ls=0.5,gn=0.3", 1, 500, 100, 50, 1e-3,
                "adam", 3);
        checkpoint = new Training(config, "run-1", dir, null).run(Datasets.load("synthetic", null)).lastCheckpoint();
    }

    @Test
    void theManifestHasEveryFieldOfSchemaV1() throws Exception {
        JsonNode json = Json.MAPPER.readTree(checkpoint.directory().resolve(Checkpoint.MANIFEST).toFile());
        assertEquals("logitlab.checkpoint/v1", json.get("schema").asText());
        assertEquals("run-1", json.get("runId").asText());
        assertEquals(1, json.get("epoch").asInt());
        assertEquals("small-cnn", json.get("model").get("architecture").asText());
        assertEquals("synthetic", json.get("dataset").asText());
        assertEquals("ls=0.5,gn=0.3", json.get("defense").get("spec").asText());
        assertEquals(0.5, json.get("defense").get("terms").get(0).get("parameters").get("alpha").asDouble());
        assertEquals(3, json.get("seed").asLong());
        assertEquals(64, json.get("configHash").asText().length());
        for (String metric : new String[] {"cleanAccuracy", "trainLoss", "trainImagesPerSecond", "meanLogitNorm"}) {
            assertTrue(json.get("metrics").get(metric).isNumber(), metric);
        }
        assertEquals(Checkpoint.PARAMETERS, json.get("files").get(0).get("path").asText());
        assertEquals(Sha256.of(checkpoint.directory().resolve(Checkpoint.PARAMETERS)),
                json.get("files").get(0).get("sha256").asText());
        assertEquals(dir.resolve("epoch-001"), checkpoint.directory());
    }

    @Test
    void aLoadedCheckpointGivesIdenticalLogits() {
        Checkpoint loaded = Checkpoint.load(checkpoint.directory());
        try (var first = loaded.network(); var second = Checkpoint.load(checkpoint.directory()).network();
             var fresh = dev.logitlab.core.model.Network.create(loaded.manifest().model(), 99);
             NDManager m = first.manager().newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(16, 1, 8, 8));
            float[] a = first.forward(x, false).toFloatArray();
            assertArrayEquals(a, second.forward(x, false).toFloatArray());
            // The weights really come from the file: a fresh network answers differently.
            assertTrue(!java.util.Arrays.equals(a, fresh.forward(x, false).toFloatArray()));
            // Saving the loaded weights again reproduces the very same bytes.
            Path again = dir.resolve("again.params");
            first.saveParameters(again);
            assertEquals(loaded.manifest().parameters().sha256(), Sha256.of(again));
        }
    }

    @Test
    void aTamperedParameterFileIsRefused() throws Exception {
        Path params = checkpoint.directory().resolve(Checkpoint.PARAMETERS);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length - 1] ^= 1;
        Files.write(params, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        var e = assertThrows(CheckpointIntegrityException.class, () -> Checkpoint.load(checkpoint.directory()));
        assertTrue(e.getMessage().contains("model.params") && e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aManifestPointingOutsideTheCheckpointIsRefused() throws Exception {
        Path manifest = checkpoint.directory().resolve(Checkpoint.MANIFEST);
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
        ((ObjectNode) json.get("files").get(0)).put("path", "../../etc/passwd");
        Json.MAPPER.writeValue(manifest.toFile(), json);
        var e = assertThrows(CheckpointIntegrityException.class, () -> Checkpoint.load(checkpoint.directory()));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void aParameterFileThatIsASymbolicLinkOutOfTheCheckpointIsRefused() throws Exception {
        Path params = checkpoint.directory().resolve(Checkpoint.PARAMETERS);
        Path outside = Files.move(params, dir.resolve("elsewhere.params"));
        Files.createSymbolicLink(params, outside); // same bytes, so only the link itself can be the reason
        var e = assertThrows(CheckpointIntegrityException.class, () -> Checkpoint.load(checkpoint.directory()));
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void theBytesUsedAreTheBytesVerifiedSoAFileSwappedAfterLoadingIsRefused() throws Exception {
        Checkpoint loaded = Checkpoint.load(checkpoint.directory());
        Path params = checkpoint.directory().resolve(Checkpoint.PARAMETERS);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length - 1] ^= 1;
        Files.write(params, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        var e = assertThrows(CheckpointIntegrityException.class, loaded::network);
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void writersOfTheSameEpochDoNotShareATemporaryDirectory() throws Exception {
        // Another replica mid-write under the old fixed name, or under its own: neither is touched.
        Path other = Files.createDirectories(dir.resolve("epoch-002.tmp"));
        Files.writeString(other.resolve(Checkpoint.PARAMETERS), "another writer's");
        try (var network = checkpoint.network()) {
            Checkpoint written = Checkpoint.write(dir, 2, network, out -> out.writeInt(7),
                    files -> { CheckpointManifest m = checkpoint.manifest();
                        return new CheckpointManifest(m.schema(), m.runId(), 2, m.model(), m.dataset(), m.defense(),
                                m.seed(), m.configHash(), m.config(), m.metrics(), files); });
            assertEquals(dir.resolve("epoch-002"), written.directory());
        }
        assertEquals("another writer's", Files.readString(other.resolve(Checkpoint.PARAMETERS)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("epoch-001", "epoch-002", "epoch-002.tmp"),
                    files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("epoch-")).sorted().toList(),
                    "our temporary directory was renamed into place, nothing else left behind");
        }
        assertEquals(2, Checkpoint.latest(dir).orElseThrow().manifest().epoch());
    }

    @Test
    void aDirectoryWithoutManifestIsNotACheckpoint() {
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("not a logitlab checkpoint"), e.getMessage());
    }
}
