package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The rows an attack still works on, one per example or one per (target class, example) side by side. */
class ActiveSetTest {

    @Test
    void aBreakInOneCopyRetiresEveryCopyOfThatExample() {
        // 3 examples, example 1 misclassified from the start; 3 copies, copy-major: row c·3 + i
        ActiveSet rows = ActiveSet.copies(new boolean[] {false, true, false}, 3);
        assertArrayEquals(new int[] {0, 2, 3, 5, 6, 8}, rows.index());
        assertNull(rows.update(new boolean[6]), "nothing broke: the batch stays as it is");

        int[] keep = rows.update(new boolean[] {false, false, false, true, false, false}); // row 5: copy 1 of example 2
        assertArrayEquals(new int[] {0, 2, 4}, keep, "only example 0's copies stay, at their batch positions");
        assertArrayEquals(new int[] {0, 3, 6}, rows.index());
        assertArrayEquals(new boolean[] {false, true, true}, rows.broken());
    }

    @Test
    void aStalledRowLeavesUntilTheNextRestartAndIsNotBroken() {
        ActiveSet rows = new ActiveSet(new boolean[4]);
        int[] keep = rows.update(new boolean[] {false, true, false, false}, new boolean[] {true, false, false, false});
        assertArrayEquals(new int[] {2, 3}, keep, "example 0 stalled, example 1 broken");
        assertArrayEquals(new int[] {2, 3}, rows.index());
        assertArrayEquals(new boolean[] {false, true, false, false}, rows.broken(), "a stall is no break");
        rows.restart();
        assertArrayEquals(new int[] {0, 2, 3}, rows.index(), "a restart takes the stalled example again, not the broken one");
    }
}
