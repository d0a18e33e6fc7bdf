package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.common.config.Flags;
import io.kvdb.common.security.BearerHeader;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * How a kvdb program that dials kvdb servers is told to secure its calls, from its command line:
 * {@code --tls-ca FILE} (TLS trusting the PEM certificates in FILE: the servers' CA, or their
 * self-signed certificates), {@code --tls} (TLS trusting the system's roots) and {@code --token
 * TOKEN} (else the environment variable {@code KV_TOKEN}, which keeps it out of the process list).
 * The {@code kv} client and a leader rebuilt from its followers declare and read them here, so that
 * they are spelled, checked and explained alike, and both dial through {@link KvOptions}.
 *
 * @param tlsCa the PEM file of trusted certificates (implies TLS)
 * @param systemTls TLS with the JVM's default trust store (ignored when {@code tlsCa} is given)
 * @param token the bearer token to send, if any
 */
public record ClientFlags(Optional<Path> tlsCa, boolean systemTls, Optional<String> token) {
  /** Read when --token is not given; unlike a flag, it does not show in the process list. */
  public static final String TOKEN_ENV = "KV_TOKEN";
  /** Plaintext, no token. */
  public static final ClientFlags NONE = new ClientFlags(Optional.empty(), false, Optional.empty());

  /**
   * Adds {@code --token}, {@code --tls-ca} and {@code --tls}; {@code whom} names the servers they
   * apply to in the help ("the servers", "the followers of --rebuild-from-followers").
   */
  public static Flags declare(Flags flags, String whom) {
    return flags
        .declare("token", "", "bearer token sent to " + whom + " (default: the environment variable " + TOKEN_ENV + ")")
        .declare("tls-ca", "", "dial " + whom + " with TLS, trusting the PEM certificates in this file")
        .declareBoolean("tls", "dial " + whom + " with TLS, trusting the system's root certificates");
  }

  /**
   * Reads the flags of {@link #declare}, the token from {@code env} when {@code --token} is not
   * given (an empty {@code KV_TOKEN} means none).
   *
   * @throws IllegalArgumentException for a token that cannot be one, naming where it came from
   */
  public static ClientFlags read(Flags flags, Map<String, String> env) {
    String token = env.get(TOKEN_ENV);
    String source = TOKEN_ENV;
    if (flags.isGiven("token")) {
      token = flags.string("token");
      source = "--token";
      if (token.isEmpty()) {
        throw new IllegalArgumentException("--token is empty");
      }
    }
    if (token != null && token.isEmpty()) {
      token = null;
    }
    if (token != null && !BearerHeader.isWellFormed(token)) {
      throw new IllegalArgumentException(source + " must be visible ASCII characters without spaces");
    }
    Optional<Path> tlsCa = flags.isGiven("tls-ca") ? Optional.of(Path.of(flags.string("tls-ca"))) : Optional.empty();
    return new ClientFlags(tlsCa, flags.bool("tls"), Optional.ofNullable(token));
  }

  /**
   * The trust these flags ask for, its file read now.
   *
   * @throws IllegalArgumentException naming {@code --tls-ca} and the file when it is missing or
   *     holds no PEM certificate
   */
  public TlsTrust trust() {
    if (tlsCa.isPresent()) {
      try {
        return TlsTrust.caFile(tlsCa.get());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--tls-ca " + e.getMessage(), e);
      }
    }
    return systemTls ? TlsTrust.systemRoots() : TlsTrust.PLAINTEXT;
  }

  /**
   * {@code base} with this trust and token.
   *
   * @throws IllegalArgumentException as {@link #trust} does
   */
  public KvOptions applyTo(KvOptions base) {
    KvOptions options = base.withTls(trust());
    return token.map(options::withToken).orElse(options.withoutToken());
  }

  /**
   * {@code CODE: description} of a failed call. A connection failure's description is grpc's
   * generic "io exception" followed by a dump of its pipeline; the local cause (a TLS alert,
   * "Connection refused") says more, so it replaces the dump.
   */
  public static String describe(Status status) {
    String description = status.getDescription() == null ? "" : status.getDescription().lines().findFirst().orElse("");
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null && !description.contains(root.getMessage())) {
      description = description.isEmpty() ? root.getMessage() : description + ": " + root.getMessage();
    }
    return status.getCode() + ": " + description;
  }

  /**
   * What to try when a call made with {@code options} failed in a way that is likely one of these
   * flags away from working (a token refused or missing, a TLS mismatch); empty otherwise.
   */
  public static String hint(Status status, KvOptions options) {
    return switch (status.getCode()) {
      case UNAUTHENTICATED -> options.token().isPresent()
          ? " (check --token / " + TOKEN_ENV + ": this server does not know that token)"
          : " (this server wants a token: pass --token TOKEN or set " + TOKEN_ENV + ")";
      // A TLS server hangs up on a plaintext client without a word; a handshake that fails names
      // the certificate. A refused connection or an unknown host is no TLS matter.
      case UNAVAILABLE -> {
        if (options.tls().enabled() && causedBy(status, SSLException.class, CertificateException.class)) {
          yield " (with TLS: --tls-ca must hold the server's certificate or its CA, and the certificate must name"
              + " the host you dial)";
        }
        if (!options.tls().enabled() && !causedBy(status, ConnectException.class, UnknownHostException.class)) {
          yield " (if the server was started with --tls-cert, pass --tls-ca FILE or --tls)";
        }
        yield "";
      }
      default -> "";
    };
  }

  /**
   * Whether the server answered but refused these credentials: a token it does not know or that
   * may not do this, or a TLS handshake that failed. Unlike a server that is down, trying again
   * will not help; the flags must change.
   */
  public static boolean refusedCredentials(Status status, KvOptions options) {
    return switch (status.getCode()) {
      case UNAUTHENTICATED, PERMISSION_DENIED -> true;
      case UNAVAILABLE -> options.tls().enabled() && causedBy(status, SSLException.class, CertificateException.class);
      default -> false;
    };
  }

  private static boolean causedBy(Status status, Class<?>... types) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<?> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Never shows the token: flags end up in logs. */
  @Override
  public String toString() {
    return "ClientFlags[" + trustText() + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
  }

  private String trustText() {
    return tlsCa.map(file -> "TLS trusting " + file).orElse(systemTls ? "TLS trusting the system's roots" : "plaintext");
  }
}
