package dev.logitlab.service;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors as RFC 9457 problem details ({@code application/problem+json}), naming the offending field. */
public class Problems {

    static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response invalidField(InvalidFieldException e) {
        return problem(400, "Invalid request", e.getMessage(), e.field());
    }

    // Quarkus REST maps Jackson's input errors itself; these more specific user mappers take precedence.
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper
    public Response unparsable(JsonParseException e) {
        return unreadable(e);
    }

    /** Other client errors raised by the framework (e.g. a body that is not JSON at all). */
    @ServerExceptionMapper
    public Response clientError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json);
        }
        return status >= 400 && status < 500
                ? problem(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), null)
                : e.getResponse();
    }

    Response unreadable(JsonProcessingException e) {
        String field = null;
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String detail = e instanceof UnrecognizedPropertyException u
                ? "unknown field '" + u.getPropertyName() + "'"
                : e.getOriginalMessage();
        return problem(400, "Unreadable request body", detail, field);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return problem(404, "Not found", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response queueFull(RejectedExecutionException e) {
        return problem(503, "Queue full", "the service's queue is full; retry later", null);
    }

    /** No token, or one that does not verify (bad signature, expired, another issuer): who are you? */
    @ServerExceptionMapper({io.quarkus.security.UnauthorizedException.class,
            io.quarkus.security.AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e) {
        return Response.fromResponse(problem(401, "Unauthorized", "a valid bearer token is required (Authorization: "
                + "Bearer <token>; ./lab token prints one for the local stack)", null))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response tooMany(TooManyRequestsException e) {
        return Response.fromResponse(problem(429, "Too many requests", e.getMessage(), null))
                .header("Retry-After", Long.toString(e.retryAfterSeconds())).build();
    }

    /** A valid token without the role this needs. */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return problem(403, "Forbidden", e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : "the token's roles do not allow this (viewer reads, submitter submits, operator cancels and "
                + "administers)", null);
    }

    public static Response problem(int status, String title, String detail, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }
}
