package dev.logitlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.Json;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Pgd;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external TorchScript model, made by PyTorch (recipe: src/test/resources/torchscript/make_tiny_cnn.py):
 * DJL must reproduce PyTorch's logits and input gradients, and the attacks must run on it.
 */
class TorchScriptClassifierTest {

    @Test
    void logitsAndInputGradientsMatchPyTorch() throws Exception {
        JsonNode expected = Json.MAPPER.readTree(resource("tiny_cnn_expected.json").toFile());
        try (Classifier model = Classifiers.open(resource("tiny_cnn.pt"));
             NDManager manager = model.manager().newSubManager()) {
            NDArray x = fixedInput(manager);
            assertArrayEquals(floats(expected.get("logits")), model.logits(x).toFloatArray(), 1e-4f);

            int[] labels = {3, 3};
            // Every call, not only the first: with a narrower first conv, one CPU's gradients changed from call to
            // call (docs/attacks.md, "Known limits").
            for (int call = 0; call < 4; call++) {
                NDArray gradient = model.gradient(x, z -> Losses.crossEntropy(z, z.getManager()
                        .create(new long[] {3, 3}).oneHot(10)).sum());
                assertArrayEquals(floats(expected.get("gradient")), gradient.toFloatArray(), 1e-5f, "call " + call);
            }

            boolean[] broken = Pgd.crossEntropy(5).run(model, x, labels, 0.3, 0);
            assertEquals(2, broken.length);
            assertTrue(model.description().startsWith("torchscript:"));
        }
    }

    @Test
    void aFileThatIsNotAModelIsAClearError(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("bogus.pt"), "not a zip");
        var e = assertThrows(IllegalArgumentException.class, () -> Classifiers.open(bogus));
        assertTrue(e.getMessage().contains("bogus.pt"), e.getMessage());
        var other = assertThrows(IllegalArgumentException.class, () -> Classifiers.open(dir.resolve("missing.onnx")));
        assertTrue(other.getMessage().contains("does not exist"), other.getMessage());
    }

    /** Pixel i of image n is ((i·7 + n·13) mod 256)/255, as in the recipe. */
    private static NDArray fixedInput(NDManager manager) {
        float[] pixels = new float[2 * 784];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 784; i++) {
                pixels[n * 784 + i] = ((i * 7 + n * 13) % 256) / 255f;
            }
        }
        return manager.create(pixels, new Shape(2, 1, 28, 28));
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TorchScriptClassifierTest.class.getResource("/torchscript/" + name).toURI());
    }
}
