package dev.logitlab.service;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * A list endpoint's page: at most {@code limit} items (default {@value #DEFAULT}, at most {@value #MAX}) in the order
 * of their keys, those after {@code after}, and, when more follow, a {@code Link: <…>; rel="next"} header naming the
 * next page (relative, so a proxy's scheme and host apply). A key that has gone since is no error: the page starts
 * at the next one. A reader never gets, nor a replica writes, the whole store in one response.
 */
public final class Pages {

    public static final int DEFAULT = 500;
    public static final int MAX = 1000;

    private Pages() {
    }

    /** One page of items, and the key to ask the next one after (null on the last page). */
    public record Page<T>(List<T> items, String next) {
    }

    /** The page of {@code items} (keys unique) that {@code limit} and {@code after} select. */
    public static <T> Page<T> slice(List<T> items, Function<T, String> key, Integer limit, String after) {
        int size = limit == null ? DEFAULT : limit;
        if (size < 1 || size > MAX) {
            throw new InvalidFieldException("limit", "limit must be in [1, " + MAX + "], got " + size);
        }
        List<T> sorted = items.stream().sorted(Comparator.comparing(key)).toList();
        int from = 0;
        while (after != null && from < sorted.size() && key.apply(sorted.get(from)).compareTo(after) <= 0) {
            from++;
        }
        int to = Math.min(sorted.size(), from + size);
        return new Page<>(sorted.subList(from, to), to < sorted.size() ? key.apply(sorted.get(to - 1)) : null);
    }

    /** The page as a response, with its {@code Link} to the next. */
    public static <T> Response of(List<T> items, Function<T, String> key, Integer limit, String after, UriInfo uri) {
        Page<T> page = slice(items, key, limit, after);
        Response.ResponseBuilder response = Response.ok(page.items());
        if (page.next() != null) {
            URI next = uri.getRequestUriBuilder().replaceQueryParam("after", page.next())
                    .replaceQueryParam("limit", limit == null ? DEFAULT : limit).build();
            response.link(URI.create(next.getRawPath() + "?" + next.getRawQuery()), "next");
        }
        return response.build();
    }
}
