package dev.logitlab.analysis;

import dev.logitlab.service.TooManyRequestsException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Fans the records this replica reads from {@code logitlab.reports} and {@code logitlab.runs} out to the dashboards
 * connected to it, as server-sent events named {@code report} and {@code run}. Every replica reads both topics
 * whole (global stores), so any replica can serve any dashboard. Nothing here needs to survive a restart: a
 * reconnecting dashboard reloads the state from the stores. Connections are capped per subject and in all, so one
 * token cannot hold a replica's sockets.
 */
@ApplicationScoped
public class LiveEvents {

    /** Live connections one subject may hold: a dashboard or two per person, never a replica's worth of sockets. */
    @ConfigProperty(name = "logitlab.sse.per-subject", defaultValue = "4")
    int perSubject;

    /** Live connections of every subject together. */
    @ConfigProperty(name = "logitlab.sse.total", defaultValue = "256")
    int total;

    private Sse sse;
    private SseBroadcaster broadcaster;
    private final Map<SseEventSink, String> open = new HashMap<>();

    /** Connects a dashboard of {@code subject}, or answers 429 when it (or everyone) holds as many as allowed. */
    synchronized void register(Sse sse, SseEventSink sink, String subject) {
        open.keySet().removeIf(SseEventSink::isClosed);
        long theirs = open.values().stream().filter(subject::equals).count();
        if (theirs >= perSubject || open.size() >= total) {
            throw new TooManyRequestsException(theirs >= perSubject
                    ? subject + " already holds " + theirs + " live connections (logitlab.sse.per-subject); close one"
                    : "this replica serves " + open.size() + " live connections (logitlab.sse.total); try again later", 30);
        }
        if (broadcaster == null) {
            this.sse = sse;
            this.broadcaster = sse.newBroadcaster();
            broadcaster.onClose(this::closed);
            broadcaster.onError((closed, error) -> closed(closed));
        }
        open.put(sink, subject);
        broadcaster.register(sink);
        sink.send(sse.newEventBuilder().comment("connected").build()); // the headers go now, not with the first event
    }

    private synchronized void closed(SseEventSink sink) {
        open.remove(sink);
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
