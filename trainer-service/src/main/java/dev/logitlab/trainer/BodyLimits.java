package dev.logitlab.trainer;

import dev.logitlab.service.Problems;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bodies stay small except where a file is the point: JSON bodies over {@code logitlab.limits.json-bytes} are a 413
 * before they are read, and a JSON body must say its length (a chunked one could not be bounded before reading).
 * The HTTP layer's own ceiling ({@code quarkus.http.limits.max-body-size}) is the checkpoint upload's size.
 */
public class BodyLimits {

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> bounded(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().startsWith("/api/checkpoints")) {
            return Optional.empty();
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return request.getHeaderString("Transfer-Encoding") == null ? Optional.empty()
                    : Optional.of(Problems.problem(411, "Length required", "send Content-Length with a request body",
                    null));
        }
        // Looked up per request: this filter exists before configuration mappings do.
        long jsonBytes = ConfigProvider.getConfig().getOptionalValue("logitlab.limits.json-bytes", Long.class)
                .orElse(262_144L);
        try {
            if (Long.parseLong(length.strip()) <= jsonBytes) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.of(Problems.problem(400, "Bad request", "Content-Length is not a number", null));
        }
        return Optional.of(Problems.problem(413, "Payload too large", "the body is over the limit of " + jsonBytes
                + " bytes (logitlab.limits.json-bytes)", null));
    }
}
