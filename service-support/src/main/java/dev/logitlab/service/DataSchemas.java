package dev.logitlab.service;

import dev.logitlab.events.EventSchemas;
import java.net.URI;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The CloudEvents {@code dataschema} of an event: the URL of its JSON Schema as the services serve it
 * ({@code logitlab.schemas.base-url}, by default the local stack's analysis service).
 */
public final class DataSchemas {

    static final String DEFAULT_BASE = "http://localhost:8083/schemas/";

    private DataSchemas() {
    }

    public static URI of(Class<?> event) {
        String base = ConfigProvider.getConfig().getOptionalValue("logitlab.schemas.base-url", String.class)
                .orElse(DEFAULT_BASE);
        return URI.create((base.endsWith("/") ? base : base + "/") + EventSchemas.schemaOf(event));
    }
}
