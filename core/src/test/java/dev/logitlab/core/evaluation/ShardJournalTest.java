package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An evaluation cut short resumes from its journal, runs only what is missing, and ends as an uninterrupted run. */
class ShardJournalTest {

    static final class Crash extends RuntimeException {
    }

    @Test
    void aRunCutShortResumesWithOnlyTheMissingShardsAndGivesTheUninterruptedResult(@TempDir Path dir) throws Exception {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=3,square:queries=20", 60, 3, 0);
        AttackResults uninterrupted = new Evaluation(model, test, plan, null, null).attack("m");
        int shards = new AttackPhase(model, test, plan, null).shards().shards().size();

        try (ShardJournal journal = ShardJournal.open(dir, "model-a\nplan")) {
            // dies as the fourth shard starts, as a JVM killed there would
            assertThrows(Crash.class, () -> new Evaluation(model, test, plan, null, (stage, done, all) -> {
                if (done == 3) {
                    throw new Crash();
                }
            }).attack("m", journal));
        }
        Path file;
        try (ShardJournal journal = ShardJournal.open(dir, "model-a\nplan")) {
            file = journal.file();
            assertEquals(3, journal.done().size());
        }
        // a line the crash cut off is ignored, and its shard runs again
        Files.writeString(file, "{\"shard\":5,\"robu", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        AttackResults resumed;
        try (ShardJournal journal = ShardJournal.open(dir, "model-a\nplan")) {
            assertEquals(3, journal.done().size());
            resumed = new Evaluation(model, test, plan, null, null).attack("m", journal);
        }
        long lines = Files.readAllLines(file).stream().filter(l -> l.endsWith("}")).count();
        assertEquals(shards, lines, "every shard journalled once: the three done before were not run again");
        assertEquals(uninterrupted.worstCase(), resumed.worstCase());
        assertEquals(uninterrupted.sweep(), resumed.sweep());
        assertEquals(uninterrupted.unbounded(), resumed.unbounded());
        for (int i = 0; i < uninterrupted.attacks().size(); i++) {
            assertEquals(uninterrupted.attacks().get(i).robust(), resumed.attacks().get(i).robust());
            assertEquals(uninterrupted.attacks().get(i).params(), resumed.attacks().get(i).params());
        }

        try (ShardJournal other = ShardJournal.open(dir, "model-b\nplan")) {
            assertTrue(other.done().isEmpty(), "another model's evaluation never reads this one's shards");
            other.delete();
            assertFalse(Files.exists(other.file()));
        }
    }
}
