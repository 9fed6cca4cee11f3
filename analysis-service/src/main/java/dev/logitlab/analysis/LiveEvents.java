package dev.logitlab.analysis;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Fans the records this replica reads from {@code logitlab.reports} and {@code logitlab.runs} out to the dashboards
 * connected to it, as server-sent events named {@code report} and {@code run}. Every replica reads both topics
 * whole (global stores), so any replica can serve any dashboard. Nothing here needs to survive a restart: a
 * reconnecting dashboard reloads the state from the stores.
 */
@ApplicationScoped
public class LiveEvents {

    private Sse sse;
    private SseBroadcaster broadcaster;

    synchronized void register(Sse sse, SseEventSink sink) {
        if (broadcaster == null) {
            this.sse = sse;
            this.broadcaster = sse.newBroadcaster();
        }
        broadcaster.register(sink);
    }

    /** Sends one event to every connected dashboard; a no-op until the first one connects. */
    void publish(String name, String json) {
        Sse events;
        SseBroadcaster to;
        synchronized (this) {
            events = sse;
            to = broadcaster;
        }
        if (to != null) {
            to.broadcast(events.newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE).data(json).build());
        }
    }
}
