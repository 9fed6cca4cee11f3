package dev.logitlab.cli.stack;

import dev.logitlab.cli.LocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * The local stack's token issuer: an RSA key pair made on first use under {@code .lab/jwt} (the private half readable
 * by its owner only), the public half given to the services, and bearer tokens signed with the private half.
 */
public final class LocalTokens {

    /** The {@code iss} the services expect ({@code LOGITLAB_JWT_ISSUER}'s default). */
    public static final String ISSUER = "logitlab";
    /** The {@code aud} the services expect ({@code LOGITLAB_JWT_AUDIENCE}'s default). */
    public static final String AUDIENCE = "logitlab";

    private final Path dir;

    public LocalTokens(Path home) {
        this.dir = home.resolve("jwt");
    }

    /** The public key the services verify with, made with its private half if there is none yet. */
    public Path publicKey() {
        ensure();
        return dir.resolve("public.pem");
    }

    /** A token for {@code subject} with these roles, valid for {@code ttl} (RS256, as MicroProfile JWT reads it). */
    public String token(String subject, Duration ttl, String... roles) {
        ensure();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setStringListClaim("groups", List.of(roles));
        claims.setIssuedAtToNow();
        NumericDate expires = NumericDate.now();
        expires.addSeconds(ttl.toSeconds());
        claims.setExpirationTime(expires);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            String pem = Files.readString(dir.resolve("private.pem"));
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            jws.setKey(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)));
            return jws.getCompactSerialization();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("the signing key in " + dir + " is unusable: " + e.getMessage(), e);
        }
    }

    private synchronized void ensure() {
        if (Files.isRegularFile(dir.resolve("private.pem")) && Files.isRegularFile(dir.resolve("public.pem"))) {
            return;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(dir);
            LocalFiles.writeOwnerOnly(dir.resolve("private.pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the token signing key in " + dir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
