package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lab submit --home H} talks to the stack recorded under H, at the ports it was started on. */
class SubmitHomeTest {

    @TempDir
    Path home;

    @Test
    void submitCallsTheTrainerOfTheStackUnderItsHome() throws Exception {
        // Seen: a stack started on other ports, and submit --home still called the default 8081.
        Files.writeString(home.resolve("stack.json"), "{\"kafkaPort\":19092,\"controllerPort\":19093,\"trainerPort\":"
                + "19081,\"attackPort\":19082,\"analysisPort\":19083,\"attackReplicas\":1,\"analysisReplicas\":1}");
        Path model = Files.writeString(home.resolve("model.pt"), "not read: nothing answers");
        StringWriter err = new StringWriter();
        int code = Lab.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true)).execute("submit", model.toString(), "--run", "r", "--step", "1",
                        "--dataset", "fashion-mnist", "--home", home.toString(), "--token", "t");
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("no trainer answers at http://localhost:19081"), err.toString());
    }
}
