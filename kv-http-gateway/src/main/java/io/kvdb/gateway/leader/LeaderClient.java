package io.kvdb.gateway.leader;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.common.net.HostPort;
import io.kvdb.gateway.config.LeaderTls;
import java.time.Duration;

/**
 * The gateway's only way to the data: async gRPC stubs of the leader's KV and Cluster services over
 * Armeria's HTTP/2 client, plaintext or TLS. Nothing here blocks, so it is safe on Armeria's event
 * loop. Every call carries a deadline; a leader that is down fails the call at once with
 * UNAVAILABLE, and the next call connects again, so the gateway recovers by itself when the leader
 * comes back.
 *
 * <p>Calls are made only through {@link #forCaller}, which attaches the caller's credential: the
 * gateway has none of its own, so a caller can never do through it what its own token does not
 * allow.
 */
public final class LeaderClient implements AutoCloseable {
  private final HostPort address;
  private final Duration timeout;
  private final ClientFactory factory;
  private final KVGrpc.KVStub kv;
  private final ClusterGrpc.ClusterStub cluster;

  private LeaderClient(HostPort address, Duration timeout, ClientFactory factory, KVGrpc.KVStub kv,
      ClusterGrpc.ClusterStub cluster) {
    this.address = address;
    this.timeout = timeout;
    this.factory = factory;
    this.kv = kv;
    this.cluster = cluster;
  }

  /** A client of the leader at {@code address}; connects lazily, on the first call. */
  public static LeaderClient of(HostPort address, Duration timeout, LeaderTls tls) {
    // One factory (connection pool) per gateway, closed with it; the event loops are Armeria's
    // shared ones. TLS verifies the chain against the given roots and the host name of --leader.
    var builder = ClientFactory.builder();
    tls.trustedCerts().ifPresent(file -> builder.tlsCustomizer(ssl -> ssl.trustManager(file.toFile())));
    ClientFactory factory = builder.build();
    // h2c (plaintext HTTP/2) is what grpc-java's Netty server speaks without TLS; deadlines are set
    // per call, so the client-wide response timeout is off.
    SessionProtocol protocol = tls.enabled() ? SessionProtocol.HTTPS : SessionProtocol.H2C;
    Endpoint endpoint = Endpoint.of(address.host(), address.port());
    KVGrpc.KVStub kv = GrpcClients.builder(protocol, endpoint).factory(factory)
        .responseTimeout(Duration.ZERO)
        .build(KVGrpc.KVStub.class);
    ClusterGrpc.ClusterStub cluster = GrpcClients.builder(protocol, endpoint).factory(factory)
        .responseTimeout(Duration.ZERO)
        .build(ClusterGrpc.ClusterStub.class);
    return new LeaderClient(address, timeout, factory, kv, cluster);
  }

  /**
   * The leader's calls on behalf of the caller who sent {@code auth}: every call carries its
   * credential. This is the one place where a caller's Authorization header reaches the leader.
   */
  public LeaderCalls forCaller(CallerAuth auth) {
    return auth.metadata()
        .map(headers -> new LeaderCalls(this, kv.withInterceptors(LeaderCalls.attach(headers)),
            cluster.withInterceptors(LeaderCalls.attach(headers))))
        .orElseGet(() -> new LeaderCalls(this, kv, cluster));
  }

  /**
   * The leader's calls on behalf of the caller of {@code ctx}'s request.
   *
   * @throws io.kvdb.gateway.errors.ApiException 401 when its Authorization header cannot be sent on
   */
  public LeaderCalls forCaller(ServiceRequestContext ctx) {
    return forCaller(CallerAuth.of(ctx.request().headers()));
  }

  public HostPort address() {
    return address;
  }

  /** How long one call may take (a write that waits for acks gets its wait on top). */
  public Duration timeout() {
    return timeout;
  }

  /** The deadline of a write that waits as {@code wait} says. */
  public Duration deadlineFor(WaitForAcks wait) {
    return timeout.plusMillis(Integer.toUnsignedLong(wait.getTimeoutMs()));
  }

  /** Closes the connections to the leader; calls made afterwards fail. */
  @Override
  public void close() {
    factory.closeAsync();
  }
}
