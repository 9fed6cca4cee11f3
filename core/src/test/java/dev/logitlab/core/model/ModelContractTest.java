package dev.logitlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.data.Dataset;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a model from outside must be before anything is planned on it, on fixtures PyTorch made (recipe:
 * src/test/resources/torchscript/make_contract_fixtures.py), each breaking one part of the contract.
 */
class ModelContractTest {

    /** Four 1×28×28 images of ten classes, as Fashion-MNIST's test split has them. */
    static final Dataset GREY_28 = new Dataset("grey/test", 1, 28, 28, 10, new byte[4 * 784], new int[] {0, 1, 2, 3});

    @Test
    void aModelThatKeepsTheContractPasses() throws Exception {
        try (Classifier model = new TorchScriptClassifier(resource("tiny_cnn.pt"))) {
            ModelContract.check(model, GREY_28);
        }
    }

    /** The refusal says what we expected, never what the model returned: that is its author's to choose. */
    @ParameterizedTest
    @CsvSource({
        "wrong_classes.pt, output-shape,  '(4, 10)',        '(4, 7)'",
        "nan_logits.pt,    finite-output, not all finite,   NaN",
        "rgb_only.pt,      input-shape,   '(4, 1, 28, 28)', size",
    })
    void eachBrokenContractIsNamedInWordsOfOurs(String file, String check, String ours, String theirs) throws Exception {
        try (Classifier model = new TorchScriptClassifier(resource(file))) {
            var e = assertThrows(ModelContract.Violation.class, () -> ModelContract.check(model, GREY_28));
            assertEquals(check, e.check());
            assertTrue(e.getMessage().startsWith("model check '" + check + "' failed"), e.getMessage());
            assertTrue(e.getMessage().contains(ours), e.getMessage());
            assertFalse(e.getMessage().contains(theirs), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "state_dict.pt,     torch.save archive",
        "pickled_module.pt, torch.save archive",
    })
    void aTorchSaveFileIsNotTakenForAModule(String file, String says) throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.check(resource(file)));
        assertTrue(e.getMessage().contains(says), e.getMessage());
        var load = assertThrows(IllegalArgumentException.class, () -> new TorchScriptClassifier(resource(file)));
        assertTrue(load.getMessage().startsWith(file + ": not a TorchScript module"), load.getMessage());
    }

    @Test
    void aPickleOrAnyOtherFileIsNotAZip(@TempDir Path dir) throws Exception {
        // Protocol 2 pickle opcodes of an old torch.save: never unpickled, only recognised as not a zip.
        Path pickle = Files.write(dir.resolve("old.pt"), new byte[] {(byte) 0x80, 0x02, 0x63, 0x6f, 0x73, 0x0a, 0x2e});
        var e = assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.check(pickle));
        assertTrue(e.getMessage().contains("not a zip archive"), e.getMessage());
    }

    @Test
    void aRandomizedModelKeepsTheContractAndIsAttackedThroughEot() throws Exception {
        try (Classifier model = new TorchScriptClassifier(resource("noisy_linear.pt"));
             var scope = model.manager().newSubManager()) {
            ModelContract.check(model, GREY_28);
            Classifier attacked = ExpectationOverTransformation.ifRandom(model, GREY_28.images(scope, 0, 4));
            assertTrue(attacked instanceof ExpectationOverTransformation, attacked.description());
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ModelContractTest.class.getResource("/torchscript/" + name).toURI());
    }
}
