package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.logitlab.core.Json;

/** What a service's problem+json answer says, as one line for the terminal. */
final class ProblemDetails {

    private ProblemDetails() {
    }

    /** "field: detail" from an application/problem+json body, or the body itself when it is not one. */
    static String detail(String problem) {
        try {
            JsonNode p = Json.MAPPER.readTree(problem);
            return (p.has("field") ? p.get("field").asText() + ": " : "") + p.path("detail").asText(problem);
        } catch (Exception e) {
            return problem;
        }
    }
}
