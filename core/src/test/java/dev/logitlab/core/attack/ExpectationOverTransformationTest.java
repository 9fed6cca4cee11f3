package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import org.junit.jupiter.api.Test;

/** EOT is switched on only for random outputs, and averaging 20 passes shrinks their jitter by about √20. */
class ExpectationOverTransformationTest {

    @Test
    void aDeterministicModelIsAttackedAsItIsAndARandomOneThroughItsMean() {
        Dataset test = Models.fashion().test();
        try (Classifier plain = Models.plainSmallCnn(); NDManager scope = plain.manager().newSubManager()) {
            NDArray x = Models.images(scope, test, 50);
            assertSame(plain, ExpectationOverTransformation.ifRandom(plain, x));
            assertTrue(ExpectationOverTransformation.relativeJitter(plain, x) <= ExpectationOverTransformation.TOLERANCE);

            Classifier random = Models.randomized(plain, 0.5f);
            Classifier eot = ExpectationOverTransformation.ifRandom(random, x);
            assertInstanceOf(ExpectationOverTransformation.class, eot);
            double raw = ExpectationOverTransformation.relativeJitter(random, x);
            double averaged = ExpectationOverTransformation.relativeJitter(eot, x);
            assertTrue(averaged < 0.5 * raw, "20 draws should shrink the jitter about 4.5×: " + raw + " → " + averaged);
        }
    }
}
