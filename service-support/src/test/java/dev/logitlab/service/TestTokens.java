package dev.logitlab.service;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Set;

/**
 * Bearer tokens for the service tests, signed with the test key pair whose public half the test profile trusts
 * ({@code jwt/test-public.pem}; for tests only, never deployed).
 */
public final class TestTokens {

    private static final PrivateKey KEY = load();

    private TestTokens() {
    }

    /** A valid token for {@code subject} with these roles. */
    public static String of(String subject, String... roles) {
        return sign(subject, Set.of(roles), "logitlab", Duration.ofMinutes(30), KEY);
    }

    /** A token that expired a minute ago. */
    public static String expired(String... roles) {
        return sign("late", Set.of(roles), "logitlab", Duration.ofMinutes(-1), KEY);
    }

    /** A token of another issuer. */
    public static String foreignIssuer(String... roles) {
        return sign("stranger", Set.of(roles), "someone-else", Duration.ofMinutes(30), KEY);
    }

    /** A token of the right issuer and key made for another application (its {@code aud}). */
    public static String foreignAudience(String... roles) {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer("logitlab").audience("another-app").upn("borrowed").groups(Set.of(roles)).issuedAt(now - 120)
                .expiresAt(now + 1800).sign(KEY);
    }

    /** A valid token with one character of its signature changed. */
    public static String tampered(String... roles) {
        String token = of("mallory", roles);
        char last = token.charAt(token.length() - 2);
        return token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    }

    /** The {@code Authorization} header value of a valid token with these roles. */
    public static String bearer(String... roles) {
        return "Bearer " + of("tester", roles);
    }

    private static String sign(String subject, Set<String> roles, String issuer, Duration ttl, PrivateKey key) {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer(issuer).audience("logitlab").upn(subject).groups(roles).issuedAt(now - 120)
                .expiresAt(now + ttl.toSeconds()).sign(key);
    }

    private static PrivateKey load() {
        try (InputStream in = TestTokens.class.getResourceAsStream("/jwt/test-private.pem")) {
            return KeyUtils.decodePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException("the test signing key is missing", e);
        }
    }
}
