package dev.logitlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkTest {

    @ParameterizedTest
    @ValueSource(strings = {"linear", "mlp", "small-cnn", "wrn-10-1"})
    void everyArchitectureMapsImagesToOneLogitPerClass(String architecture) {
        ModelSpec spec = new ModelSpec(architecture, 3, 32, 32, 10);
        try (Network network = Network.create(spec, 0); NDManager m = network.manager().newSubManager()) {
            NDArray logits = network.forward(m.randomUniform(0, 1, new Shape(2, 3, 32, 32)), false);
            assertEquals(new Shape(2, 10), logits.getShape());
        }
    }

    @Test
    void theSameSpecAndSeedRebuildTheSameWeights() throws Exception {
        ModelSpec spec = new ModelSpec("small-cnn", 1, 28, 28, 10);
        ModelSpec roundTripped = Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(spec), ModelSpec.class);
        assertEquals(spec, roundTripped);
        try (Network a = Network.create(spec, 7); Network b = Network.create(roundTripped, 7);
             Network c = Network.create(spec, 8); NDManager m = a.manager().newSubManager()) {
            NDArray x = m.full(new Shape(1, 1, 28, 28), 0.5f);
            assertArrayEquals(a.forward(x, false).toFloatArray(), b.forward(x, false).toFloatArray());
            assertTrue(!java.util.Arrays.equals(a.forward(x, false).toFloatArray(), c.forward(x, false).toFloatArray()),
                    "another seed should give other weights");
        }
    }

    @Test
    void unknownArchitecturesAreRefusedWithTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ModelSpec("wrn-27-10", 3, 32, 32, 10));
        assertTrue(e.getMessage().contains("wrn-27-10") && e.getMessage().contains("small-cnn"), e.getMessage());
        new ModelSpec("wrn-28-10", 3, 32, 32, 10); // the paper's network is a valid spec
    }
}
