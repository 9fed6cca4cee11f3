package dev.logitlab.trainer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trainer replicas on one shared store (two {@link RunLeases} on one folder): a holder paused past its lease is
 * fenced off by the replica that adopted the run, at its next effect, whatever the clocks say.
 */
class RunLeasesTest {

    @TempDir
    Path store;

    private RunLeases replica(Duration ttl) {
        RunJournal journal = new RunJournal();
        journal.storeRoot = store;
        RunLeases leases = new RunLeases();
        leases.journal = journal;
        leases.ttl = ttl;
        return leases;
    }

    @Test
    void aHolderPausedPastItsLeaseIsFencedOffAndNeverOverwritesTheAdoptersLease() throws Exception {
        RunLeases paused = replica(Duration.ofMillis(300));
        RunLeases adopter = replica(Duration.ofMillis(300));
        try {
            assertTrue(paused.acquire("run-a"));
            assertFalse(adopter.acquire("run-a"), "a live lease is not taken");
            assertDoesNotThrow(() -> paused.fence("run-a"));

            paused.stop(); // the pause: no renewal, past the lease
            Thread.sleep(600);
            assertTrue(adopter.acquire("run-a"), "an expired lease is adopted");
            assertDoesNotThrow(() -> adopter.fence("run-a"));

            // the paused holder wakes up: its next effect is refused, whatever its clock says
            RunLeases.Lost lost = assertThrows(RunLeases.Lost.class, () -> paused.fence("run-a"));
            assertTrue(lost.getMessage().contains("fencing token 2 after this replica's 1"), lost.getMessage());
            // and giving the lease back does not take the adopter's
            paused.release("run-a");
            String lease = Files.readString(store.resolve("runs/run-a/lease"));
            assertTrue(lease.startsWith(adopter.holder + " "), lease);
            assertDoesNotThrow(() -> adopter.fence("run-a"));
        } finally {
            paused.stop();
            adopter.stop();
        }
    }

    @Test
    void tokensOnlyGrowAndOldOnesAreCleanedUp() throws Exception {
        RunLeases a = replica(Duration.ofMillis(1));
        RunLeases b = replica(Duration.ofMillis(1));
        try {
            for (int i = 0; i < 10; i++) {
                Thread.sleep(5);
                assertTrue((i % 2 == 0 ? a : b).acquire("run-b"));
            }
            try (var tokens = Files.list(store.resolve("runs/run-b/fence"))) {
                assertEquals(java.util.Set.of("10", "9"), tokens.map(p -> p.getFileName().toString())
                        .collect(java.util.stream.Collectors.toSet()));
            }
            assertThrows(RunLeases.Lost.class, () -> a.fence("run-b"));
            assertDoesNotThrow(() -> b.fence("run-b"));
            assertDoesNotThrow(() -> a.fence("never-leased"), "a run never leased here has only idempotent effects");
        } finally {
            a.stop();
            b.stop();
        }
    }
}
