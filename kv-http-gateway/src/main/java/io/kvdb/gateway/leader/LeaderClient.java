package io.kvdb.gateway.leader;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.client.TlsTrust;
import io.kvdb.common.net.HostPort;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The gateway's only way to the data: one {@link KvClient} for the whole process, over Armeria's
 * HTTP/2 client (plaintext or TLS), and each caller's own bearer token on every call that caller's
 * request makes ({@link #forCaller}). The gateway has no credential of its own, so a caller can
 * never do through it what its own token does not allow.
 *
 * <p>Get, set and delete travel on kv-client's Session transport ({@link KvOptions#withSession}):
 * one long-lived stream to the leader carries every HTTP request's call as one message each way,
 * each with its caller's token, instead of one HTTP/2 stream per call, which cost half the
 * gateway's CPU (docs/PERFORMANCE.md, "HTTP gateway"). Listing, the Cluster API and the calls
 * that {@link LeaderProxy} forwards stay unary.
 *
 * <p>Why Armeria's channel rather than kv-client's own ({@code KvClient.connect}): it runs on the
 * Netty the HTTP server already has (no second one), and it dials anew for each call while
 * the leader is down, so the gateway recovers as soon as the leader is back instead of after a
 * reconnect backoff. Nothing here blocks: the calls are kv-client's async forms, safe on Armeria's
 * event loop. Each call has kv-client's deadline (the leader timeout, plus the wait of a write
 * that waits for acks) and its retry rule (a read that meets UNAVAILABLE is sent again, a write
 * never).
 */
public final class LeaderClient implements AutoCloseable {
  private final HostPort address;
  private final Channel channel;
  private final KvClient shared;
  private final Runnable closer;
  /** The loop of the connection to the leader (for {@link #connect}), which the HTTP server shares. */
  private final Optional<EventLoopGroup> eventLoop;
  /** Dials a follower's address (HOST:PORT) as the leader is dialled: same connections pool, same TLS. */
  private final Function<String, Channel> followerDialer;

  private LeaderClient(HostPort address, Duration timeout, Channel channel, EventExecutor streamLoop,
      Optional<EventLoopGroup> eventLoop, boolean session, Runnable closer, Function<String, Channel> followerDialer) {
    this.address = address;
    this.eventLoop = eventLoop;
    this.channel = channel;
    this.followerDialer = followerDialer;
    this.shared = KvClient.over(ClientInterceptors.intercept(channel, new OutsideRequestContexts(streamLoop)),
        KvOptions.DEFAULT.withDeadline(timeout).withSession(session));
    this.closer = () -> {
      shared.close(); // ends the Session stream; the channel stays the caller's or the factory's
      closer.run();
    };
  }

  /**
   * A client of the leader at {@code address}, secured as {@code tls} says (a CA file, or the
   * system's roots; the leader's certificate must name the host); it connects on the first call.
   */
  public static LeaderClient connect(HostPort address, Duration timeout, TlsTrust tls) {
    // One factory (connection pool) per gateway, closed with it, on an event loop of its own: the
    // connection to the leader runs there, and so do the Session stream's steps, which must run
    // outside the HTTP requests' contexts anyway (OutsideRequestContexts). The HTTP server runs
    // its connections on the same loop (eventLoop()), so a message to or from the leader crosses
    // no thread at all (docs/PERFORMANCE.md, "HTTP gateway: one event loop").
    EventLoopGroup loop = EventLoopGroups.newEventLoopGroup(1, "kv-gateway-leader", true);
    ClientFactoryBuilder factoryBuilder = ClientFactory.builder().workerGroup(loop, true);
    tls.caFile().ifPresent(file -> factoryBuilder.tlsCustomizer(ssl -> ssl.trustManager(file.toFile())));
    ClientFactory factory = factoryBuilder.build();
    // h2c (plaintext HTTP/2) is what grpc-java's Netty server speaks without TLS. The deadline of
    // each call is kv-client's, so the client-wide response timeout is off, and so is the limit
    // of a response's length: Armeria counts every message a stream ever carried against it and
    // would end the Session stream after 10 MiB of replies (gRPC's own limit per message stays).
    // A stub's channel serves every method of the leader, not only those of the stub's service.
    SessionProtocol protocol = tls.enabled() ? SessionProtocol.HTTPS : SessionProtocol.H2C;
    Channel channel = dial(protocol, factory, address);
    return new LeaderClient(address, timeout, channel, loop.next(), Optional.of(loop), true, factory::closeAsync,
        follower -> dial(protocol, factory, HostPort.parse("a follower address", follower)));
  }

  private static Channel dial(SessionProtocol protocol, ClientFactory factory, HostPort address) {
    return GrpcClients.builder(protocol, Endpoint.of(address.host(), address.port()))
        .factory(factory)
        .responseTimeout(Duration.ZERO)
        .maxResponseLength(0)
        .build(KVGrpc.KVStub.class)
        .getChannel();
  }

  /**
   * A client of the leader over {@code channel}, which stays yours ({@link #close} leaves it
   * open); {@code address} is the leader's, as error messages name it. {@code session}: get, set
   * and delete on the leader's Session stream, as {@link #connect} does, or as unary calls.
   */
  public static LeaderClient over(HostPort address, Duration timeout, Channel channel, boolean session) {
    return new LeaderClient(address, timeout, channel, CommonPools.workerGroup().next(), Optional.empty(), session,
        () -> {},
        follower -> dial(SessionProtocol.H2C, ClientFactory.ofDefault(),
            HostPort.parse("a follower address", follower)));
  }

  /**
   * The channel to the follower at {@code address} (HOST:PORT), dialled as the leader is, for the
   * reads served while the leader is unreachable.
   *
   * @throws IllegalArgumentException when the address is not HOST:PORT
   */
  public Channel dialFollower(String address) {
    return followerDialer.apply(address);
  }

  /**
   * The one client, calling on behalf of the caller of {@code ctx}'s request: every call carries
   * its bearer token (or none, as it sent none). This is the one place where a caller's
   * credential reaches the leader.
   *
   * @throws io.kvdb.gateway.errors.ApiException 401 when its Authorization header cannot be sent on
   */
  public KvClient forCaller(ServiceRequestContext ctx) {
    return CallerAuth.tokenOf(ctx.request().headers()).map(shared::withToken).orElse(shared);
  }

  /**
   * The one client with no caller's token: the gateway's own reads of the cluster's status (its
   * followers and their shards), kept for the reads served while the leader is unreachable.
   */
  public KvClient anonymous() {
    return shared;
  }

  /** The channel under the client, for the calls that {@link LeaderProxy} forwards unchanged. */
  Channel channel() {
    return channel;
  }

  /**
   * The event loop that {@link #connect} made for the connection to the leader: the gateway's HTTP
   * server runs its connections there too, so that a request, its message to the leader, the
   * reply and the answer all stay on one thread, with no hand-off and no wake-up between threads
   * (docs/PERFORMANCE.md, "HTTP gateway: one event loop"). Empty for {@link #over}.
   */
  public Optional<EventLoopGroup> eventLoop() {
    return eventLoop;
  }

  public HostPort address() {
    return address;
  }

  /** How long one call may take (a write that waits for acks gets its wait on top). */
  public Duration timeout() {
    return shared.options().deadline();
  }

  /** Closes the connections to the leader (for {@link #connect}); calls made afterwards fail. */
  @Override
  public void close() {
    closer.run();
  }
}
