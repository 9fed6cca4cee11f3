package dev.logitlab.analysis;

import dev.logitlab.events.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The dashboard's live stream cannot send an Authorization header (EventSource), so the token it signed in with
 * also travels as a cookie: set here, by the server, HttpOnly (no script reads it), SameSite=Strict, sent only to
 * {@value #STREAM} of this origin, and gone when the token expires. {@code POST /api/session} with the token in the
 * Authorization header sets it; {@code DELETE} clears it.
 */
@Path("/api/session")
public class SessionResource {

    static final String COOKIE = "logitlab_token";
    static final String STREAM = "/api/stream";

    @Inject
    JsonWebToken token;

    @POST
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response open(@Context UriInfo uri) {
        long seconds = token.getExpirationTime() - System.currentTimeMillis() / 1000;
        return Response.noContent().cookie(cookie(token.getRawToken(), (int) Math.max(0, Math.min(Integer.MAX_VALUE,
                seconds)), uri)).build();
    }

    @DELETE
    public Response close(@Context UriInfo uri) {
        return Response.noContent().cookie(cookie("", 0, uri)).build();
    }

    private static NewCookie cookie(String value, int maxAge, UriInfo uri) {
        return new NewCookie.Builder(COOKIE).value(value).path(STREAM).maxAge(maxAge).httpOnly(true)
                .secure("https".equals(uri.getRequestUri().getScheme())).sameSite(NewCookie.SameSite.STRICT).build();
    }
}
