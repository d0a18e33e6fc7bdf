package io.kvdb.core.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.security.BearerTokens.Role;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the {@code authorization: Bearer TOKEN} header of every call to the services it wraps,
 * before the call reaches them: no token or an unknown one is {@code UNAUTHENTICATED}, a read token
 * on a method that writes is {@code PERMISSION_DENIED}. A refused call never reaches the service,
 * so it cannot change stored data.
 *
 * <p>A read token may call KV Get and List, every Cluster method and every Follower method. Any
 * other method (Put, Delete, and methods added later until they are listed here) needs a write
 * token: a method nobody classified fails closed.
 *
 * <p>KV Session carries the calls of many callers on one stream, each request with its own token:
 * its stream opens without a token, and the interceptor hands the check to the service through
 * {@link SessionAuth#current()}, which refuses each request exactly as this class refuses a call.
 *
 * <p>Only services wrapped with this interceptor are guarded; the servers leave health checking
 * and reflection unwrapped on purpose (load balancers and tools must reach them without a token,
 * and they reveal no data).
 */
public final class BearerAuthInterceptor implements ServerInterceptor {
  private static final Set<String> READ_METHODS = readMethods();

  private final BearerTokens tokens;

  public BearerAuthInterceptor(BearerTokens tokens) {
    this.tokens = tokens;
  }

  private static Set<String> readMethods() {
    Set<String> methods = new HashSet<>();
    methods.add(KVGrpc.getGetMethod().getFullMethodName());
    methods.add(KVGrpc.getListMethod().getFullMethodName());
    for (MethodDescriptor<?, ?> method : ClusterGrpc.getServiceDescriptor().getMethods()) {
      methods.add(method.getFullMethodName());
    }
    // Draining moves shards: a read token may look at the cluster, not change its placement.
    methods.remove(ClusterGrpc.getDrainMethod().getFullMethodName());
    methods.remove(ClusterGrpc.getUndrainMethod().getFullMethodName());
    for (MethodDescriptor<?, ?> method : FollowerGrpc.getServiceDescriptor().getMethods()) {
      methods.add(method.getFullMethodName());
    }
    return Set.copyOf(methods);
  }

  /** The role a method needs. */
  public static Role needed(MethodDescriptor<?, ?> method) {
    return READ_METHODS.contains(method.getFullMethodName()) ? Role.READ : Role.WRITE;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(KVGrpc.getSessionMethod().getFullMethodName())) {
      Context checked = Context.current().withValue(SessionAuth.KEY, new SessionAuth(tokens));
      return Contexts.interceptCall(checked, call, headers, next);
    }
    String header = headers.get(BearerHeader.AUTHORIZATION);
    if (header == null) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(
          "missing bearer token: this server requires the header 'authorization: Bearer <token>'"));
    }
    Optional<String> token = BearerHeader.token(header);
    if (token.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(
          "the authorization header must be 'Bearer <token>'"));
    }
    Status refusal = refusal(tokens, token.get(), needed(call.getMethodDescriptor()), method);
    if (refusal != null) {
      return refuse(call, refusal);
    }
    return next.startCall(call, headers);
  }

  /**
   * Why {@code token} may not call {@code method}, which needs {@code needed}: UNAUTHENTICATED for
   * an unknown token, PERMISSION_DENIED for a read token on a write; null when it may.
   */
  static Status refusal(BearerTokens tokens, String token, Role needed, String method) {
    Optional<Role> role = tokens.roleOf(token);
    if (role.isEmpty()) {
      return Status.UNAUTHENTICATED.withDescription("invalid bearer token");
    }
    if (!role.get().allows(needed)) {
      return Status.PERMISSION_DENIED.withDescription("this token is read-only; " + method + " needs a write token");
    }
    return null;
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    Metadata trailers = new Metadata();
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      // As HTTP does (RFC 6750): says which scheme the server wants.
      trailers.put(BearerHeader.WWW_AUTHENTICATE, BearerHeader.CHALLENGE);
    }
    call.close(status, trailers);
    return new ServerCall.Listener<>() {};
  }
}
