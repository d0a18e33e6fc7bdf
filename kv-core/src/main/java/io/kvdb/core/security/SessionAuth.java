package io.kvdb.core.security;

import io.grpc.Context;
import io.grpc.Status;
import io.kvdb.core.security.BearerTokens.Role;
import java.util.Optional;

/**
 * The token check of each request on a KV Session stream, which carries the calls of many
 * callers: {@link BearerAuthInterceptor} lets the stream open without a token and leaves this
 * check in the stream's gRPC {@link Context}; the service asks it for every request, with the
 * request's own token and the role its method needs, and answers a refusal for that request
 * alone. A server without tokens leaves no check: {@link #current()} then accepts everything.
 */
public final class SessionAuth {
  static final Context.Key<SessionAuth> KEY = Context.key("kvdb-session-auth");
  private static final SessionAuth OPEN = new SessionAuth(null);

  /** Null: the server takes no tokens. */
  private final BearerTokens tokens;

  SessionAuth(BearerTokens tokens) {
    this.tokens = tokens;
  }

  /** The check of the Session stream whose context is current; one that accepts all without tokens. */
  public static SessionAuth current() {
    SessionAuth auth = KEY.get();
    return auth == null ? OPEN : auth;
  }

  /**
   * Why a request with {@code token} (empty: none sent) may not call {@code method}, which needs
   * {@code needed}; empty when it may. The statuses and words are those of a unary call's check.
   */
  public Optional<Status> refusal(String token, Role needed, String method) {
    if (tokens == null) {
      return Optional.empty();
    }
    if (token.isEmpty()) {
      return Optional.of(Status.UNAUTHENTICATED.withDescription(
          "missing bearer token: this server requires a token on each Session request"));
    }
    return Optional.ofNullable(BearerAuthInterceptor.refusal(tokens, token, needed, method));
  }
}
