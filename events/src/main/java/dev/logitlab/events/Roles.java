package dev.logitlab.events;

/**
 * Who may do what on the REST APIs, from the {@code groups} of a bearer token: a viewer reads, a submitter also
 * submits runs and sweeps (and cancels its own), an operator also cancels anyone's and administers. Health, metrics,
 * OpenAPI, the schemas and the dashboard's static files stay open (probes and Prometheus scrape them).
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String SUBMITTER = "submitter";
    public static final String OPERATOR = "operator";

    private Roles() {
    }
}
