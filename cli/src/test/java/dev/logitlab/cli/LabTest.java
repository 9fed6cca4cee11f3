package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI end to end in-process: real training on the synthetic data set, real error handling. */
class LabTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int lab(String... args) {
        CommandLine cli = Lab.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainWritesACheckpointPerEpochAndPrintsTheLastOne() {
        Path run = dir.resolve("run");
        int code = lab("train", "--dataset", "synthetic", "--model", "linear", "--defense", "ls=0.3", "--epochs", "2",
                "--batch", "32", "--lr", "0.01", "--out", run.toString());
        assertEquals(0, code, err.toString());
        assertTrue(Files.isRegularFile(run.resolve("epoch-001/checkpoint.json")));
        assertTrue(Files.isRegularFile(run.resolve("epoch-002/model.params")));
        assertTrue(out.toString().contains("last checkpoint: " + run.resolve("epoch-002").toAbsolutePath()), out.toString());

        // Running it again finds the run complete instead of training twice.
        assertEquals(0, lab("train", "--dataset", "synthetic", "--model", "linear", "--defense", "ls=0.3",
                "--epochs", "2", "--batch", "32", "--lr", "0.01", "--out", run.toString()));
        assertTrue(out.toString().contains("already complete"), out.toString());
    }

    @Test
    void aBadDefenseIsAClearErrorNamingTheTermNotAStackTrace() {
        int code = lab("train", "--dataset", "synthetic", "--defense", "ls=0.5,foo=1", "--out", dir.toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains("defense term 'foo=1'"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        assertEquals(2, lab("train", "--dataset", "synthetic"));
        assertTrue(err.toString().contains("--out"), err.toString());
    }
}
