package dev.logitlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lab evaluate} killed with SIGKILL in the middle of its shards, then run again with the same command: the
 * second run takes the journalled shards, runs only the missing ones, and writes the report an uninterrupted run
 * writes. Both runs are real JVMs.
 */
class EvaluateResumeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODEL = Path.of("..", "core", "src", "test", "resources", "torchscript", "tiny_cnn.pt");

    @TempDir
    Path dir;

    @Test
    void aKilledEvaluationResumesWithTheMissingShardsAndGivesTheUninterruptedReport() throws Exception {
        Path uninterrupted = dir.resolve("uninterrupted.json");
        assertEquals(0, evaluate(uninterrupted).waitFor(), "the uninterrupted run");

        Path resumed = dir.resolve("resumed.json");
        Path journal = dir.resolve("resumed.json.journal");
        Process first = evaluate(resumed);
        awaitJournalled(first, journal, 3);
        first.destroyForcibly().waitFor();
        int done = lines(journal);
        assertFalse(Files.exists(resumed), "killed before the report");

        Process second = evaluate(resumed);
        int exit = second.waitFor();
        String output = Files.readString(dir.resolve("resumed.json.log"));
        assertEquals(0, exit, output);
        assertTrue(output.contains("(" + done + " shards already done"), output);
        assertFalse(Files.exists(journal.resolve(journalFile(output))), "the journal goes once the report is written");

        JsonNode a = JSON.readTree(uninterrupted.toFile());
        JsonNode b = JSON.readTree(resumed.toFile());
        assertEquals(a.get("worstCase"), b.get("worstCase"));
        assertEquals(a.get("cleanAccuracy"), b.get("cleanAccuracy"));
        assertEquals(a.get("attacks").size(), b.get("attacks").size());
        for (int i = 0; i < a.get("attacks").size(); i++) {
            assertEquals(a.get("attacks").get(i).get("robust"), b.get("attacks").get(i).get("robust"));
        }
        assertEquals(a.get("masking"), b.get("masking"));
    }

    @Test
    void sigtermStopsAtTheNextModelCallLeavesLibtorchBeforeTheJvmExitsAndKeepsTheJournal() throws Exception {
        Path report = dir.resolve("stopped.json");
        Path journal = dir.resolve("stopped.json.journal");
        Process run = evaluate(report);
        awaitJournalled(run, journal, 2);
        run.destroy(); // SIGTERM, in the middle of a shard: the work is inside libtorch nearly all the time
        int exit = run.waitFor();
        String log = Files.readString(dir.resolve("stopped.json.log"));
        assertTrue(exit != 0 && log.contains("stopped: "), exit + "\n" + log);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(),
                    "no native crash on the way out: the JVM exited only once the work had left libtorch");
        }
        assertTrue(lines(journal) >= 2, "the finished shards stay journalled");
        assertEquals(0, evaluate(report).waitFor(), "the same command resumes and finishes");
        assertTrue(Files.exists(report));
    }

    /** One {@code evaluate} in its own JVM, on one libtorch thread (so both runs add floats in the same order). */
    private Process evaluate(Path json) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
                Lab.class.getName(), "evaluate", "--model", MODEL.toString(), "--limit", "120", "--eps", "0.1",
                "--attacks", "fgsm,pgd:steps=10,square:queries=60", "--gaps", "20", "--threads", "1",
                "--json", json.toString()));
        // to a file: an unread pipe would fill with the progress bar and stall the run
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(json.getFileName() + ".log").toFile()).start();
    }

    /** Waits while the run is alive until its journal holds {@code shards} finished shards. */
    private static void awaitJournalled(Process run, Path journal, int shards) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (lines(journal) < shards) {
            assertTrue(run.isAlive() && System.nanoTime() < deadline, "no shard journalled in time");
            Thread.sleep(20);
        }
    }

    private static int lines(Path journal) throws Exception {
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(journal)) {
            int n = 0;
            for (Path f : files.toList()) {
                n += (int) Files.readAllLines(f).stream().filter(l -> l.endsWith("}")).count();
            }
            return n;
        }
    }

    private static String journalFile(String output) {
        int at = output.indexOf("evaluation-");
        return output.substring(at, output.indexOf(".jsonl", at) + ".jsonl".length());
    }
}
