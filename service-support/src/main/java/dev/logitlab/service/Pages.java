package dev.logitlab.service;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.function.Function;

/**
 * A list endpoint's page: at most {@code limit} items (default {@value #DEFAULT}, at most {@value #MAX}) after the
 * item whose key is {@code after}, and, when more follow, a {@code Link: <…>; rel="next"} header naming the next
 * page. A reader never pays for, nor a replica builds a response of, the whole store at once.
 */
public final class Pages {

    public static final int DEFAULT = 500;
    public static final int MAX = 1000;

    private Pages() {
    }

    /** The page of {@code items} (in their order; keys unique) that {@code limit} and {@code after} select. */
    public static <T> Response of(List<T> items, Function<T, String> key, Integer limit, String after, UriInfo uri) {
        int size = limit == null ? DEFAULT : limit;
        if (size < 1 || size > MAX) {
            throw new InvalidFieldException("limit", "limit must be in [1, " + MAX + "], got " + size);
        }
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < items.size() && from < 0; i++) {
                if (key.apply(items.get(i)).equals(after)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw new InvalidFieldException("after", "after names no item of this list (it may have gone): "
                        + "start again without it");
            }
        }
        int to = Math.min(items.size(), from + size);
        Response.ResponseBuilder page = Response.ok(items.subList(from, to));
        if (to < items.size()) {
            page.link(uri.getRequestUriBuilder().replaceQueryParam("after", key.apply(items.get(to - 1)))
                    .replaceQueryParam("limit", size).build(), "next");
        }
        return page.build();
    }
}
