package io.kvdb.gateway.leader;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.gateway.errors.ApiException;
import java.util.List;
import java.util.Optional;

/**
 * The bearer token a caller presented to the gateway in its {@code Authorization} header. The
 * gateway holds no credential of its own and judges nothing but the header's shape: the token goes
 * on to the leader with each of that caller's calls, and the leader decides (its UNAUTHENTICATED
 * and PERMISSION_DENIED become 401 and 403, see {@code HttpErrors}). Tokens are secrets: nothing
 * here logs them.
 *
 * <p>Only the Bearer scheme is forwarded. A header of another scheme (say Basic, added by a proxy
 * in front of the gateway) stays here, so no password reaches the leader; the call then carries no
 * token, which an open leader serves and a leader with {@code --token-file} refuses (401).
 */
final class CallerAuth {
  private CallerAuth() {}

  /**
   * The caller's bearer token in {@code headers}; empty when it sent none, or a credential of
   * another scheme.
   *
   * @throws ApiException 401 for a header that no token check could accept: repeated, or
   *     {@code Bearer} without a token a header can carry (visible ASCII, no spaces)
   */
  static Optional<String> tokenOf(RequestHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
    if (values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw ApiException.unauthorized("send one Authorization header, not " + values.size());
    }
    String value = values.get(0);
    Optional<String> token = BearerHeader.token(value);
    if (token.isEmpty()) {
      if (isBearerScheme(value)) {
        throw ApiException.unauthorized("the Authorization header holds no token: send 'Bearer <token>'");
      }
      return Optional.empty();
    }
    if (!BearerHeader.isWellFormed(token.get())) {
      throw ApiException.unauthorized("the bearer token must be visible ASCII characters without spaces");
    }
    return token;
  }

  /** {@code Bearer} alone, or followed by nothing but spaces. */
  private static boolean isBearerScheme(String value) {
    return value.strip().equalsIgnoreCase("bearer");
  }
}
