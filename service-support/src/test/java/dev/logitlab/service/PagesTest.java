package dev.logitlab.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Pages walk a list in key order, each item once, and survive the item they started after going away. */
class PagesTest {

    static final List<String> IDS = List.of("run-b/epoch-002", "run-a/epoch-001", "run-b/epoch-001", "run-c/epoch-001",
            "run-a/epoch-002");

    @Test
    void pagesWalkTheListInKeyOrderEachItemOnce() {
        Pages.Page<String> first = Pages.slice(IDS, Function.identity(), 2, null);
        assertEquals(List.of("run-a/epoch-001", "run-a/epoch-002"), first.items());
        Pages.Page<String> second = Pages.slice(IDS, Function.identity(), 2, first.next());
        assertEquals(List.of("run-b/epoch-001", "run-b/epoch-002"), second.items());
        Pages.Page<String> last = Pages.slice(IDS, Function.identity(), 2, second.next());
        assertEquals(List.of("run-c/epoch-001"), last.items());
        assertNull(last.next());
        assertEquals(5, Pages.slice(IDS, Function.identity(), null, null).items().size());
    }

    @Test
    void aKeyThatWentAwayStartsThePageAtTheNextAndLimitsOutsideTheRangeAreRefused() {
        List<String> without = IDS.stream().filter(id -> !id.equals("run-a/epoch-002")).toList();
        assertEquals(List.of("run-b/epoch-001"), Pages.slice(without, Function.identity(), 1, "run-a/epoch-002").items());
        assertEquals("limit", assertThrows(InvalidFieldException.class,
                () -> Pages.slice(IDS, Function.identity(), 0, null)).field());
        assertThrows(InvalidFieldException.class, () -> Pages.slice(IDS, Function.identity(), Pages.MAX + 1, null));
    }
}
