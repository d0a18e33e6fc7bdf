package io.kvdb.common.security;

import io.grpc.Metadata;
import java.util.Locale;
import java.util.Optional;

/**
 * The bearer token on the wire, as the servers check it and the gateway and the CLI send it: the
 * header {@code authorization: Bearer TOKEN} (RFC 6750; gRPC header names are lower case), and the
 * challenge a refusal carries in {@code www-authenticate}.
 */
public final class BearerHeader {
  /** The header name, in HTTP and in gRPC metadata. */
  public static final String NAME = "authorization";
  /** The gRPC metadata key of {@link #NAME}. */
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);
  /** Where a refusal for a missing or unknown token says which scheme the server wants. */
  public static final Metadata.Key<String> WWW_AUTHENTICATE =
      Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * The challenge of every UNAUTHENTICATED and every HTTP 401. Browsers show no login box for this
   * scheme, so the web page asks for the token itself.
   */
  public static final String CHALLENGE = "Bearer realm=\"kvdb\"";

  private static final String SCHEME = "bearer ";

  private BearerHeader() {}

  /**
   * Whether {@code token} can travel in the header as kvdb's servers read it: not empty, visible
   * ASCII only, no spaces (HTTP/2 header values and gRPC ASCII metadata carry nothing else).
   */
  public static boolean isWellFormed(String token) {
    return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /** The header value that carries {@code token}. */
  public static String value(String token) {
    return "Bearer " + token;
  }

  /** {@code token} as gRPC metadata, for a call or a channel. */
  public static Metadata metadata(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, value(token));
    return headers;
  }

  /**
   * The token of a header value {@code Bearer TOKEN} (the scheme in any case, spaces around the
   * token ignored); empty when the value is not of that form.
   */
  public static Optional<String> token(String headerValue) {
    if (headerValue.length() <= SCHEME.length()
        || !headerValue.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return Optional.empty();
    }
    String token = headerValue.substring(SCHEME.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
