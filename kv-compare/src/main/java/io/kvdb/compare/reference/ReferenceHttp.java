package io.kvdb.compare.reference;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.kvdb.common.net.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An Armeria server with the gateway's paths, {@code POST /set} and {@code GET /get/{key}}, that
 * answers a constant JSON body: either at once (the HTTP ceiling), or once one async gRPC health
 * check to the leader has come back (what one gateway-to-leader hop costs at the least). Like the
 * gateway, it reads the whole request body before answering and never blocks the event loop.
 */
public final class ReferenceHttp implements AutoCloseable {
  /** About the size of the gateway's answer to a set. */
  private static final String BODY = "{\"key\":\"bench/1\",\"shard\":1,\"seq\":\"1\",\"followers\":[\"f-1\"]}";

  private final Server server;
  private final ClientFactory clients;

  private ReferenceHttp(Server server, ClientFactory clients) {
    this.server = server;
    this.clients = clients;
  }

  /** Constant JSON at once: the HTTP ceiling. */
  public static ReferenceHttp ceiling(String host, int port) {
    return start(host, port, () -> CompletableFuture.completedFuture(null), null);
  }

  /** Constant JSON after one {@code grpc.health.v1.Health/Check} call to {@code leader}. */
  public static ReferenceHttp healthProxy(String host, int port, HostPort leader) {
    ClientFactory factory = ClientFactory.builder().build();
    // h2c, as the gateway dials the leader; a deadline per call instead of a client-wide timeout.
    HealthGrpc.HealthStub health = GrpcClients.builder(SessionProtocol.H2C, Endpoint.of(leader.host(), leader.port()))
        .factory(factory).responseTimeout(Duration.ZERO).build(HealthGrpc.HealthStub.class);
    HealthCheckRequest request = HealthCheckRequest.getDefaultInstance();
    return start(host, port, () -> {
      CompletableFuture<Void> done = new CompletableFuture<>();
      health.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).check(request, new StreamObserver<>() {
        @Override
        public void onNext(HealthCheckResponse response) {}

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          done.complete(null);
        }
      });
      return done;
    }, factory);
  }

  private static ReferenceHttp start(String host, int port, Supplier<CompletableFuture<Void>> before,
      ClientFactory clients) {
    HttpService answer = (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(body -> before.get())
        .handle((ok, failed) -> failed == null
            ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, BODY)
            : HttpResponse.of(HttpStatus.BAD_GATEWAY, MediaType.JSON_UTF_8,
                "{\"error\":\"health call failed: " + failed.getClass().getSimpleName() + "\"}")));
    Server server = Server.builder()
        .http(new InetSocketAddress(host, port))
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .service("/set", answer)
        .service("/get/{key}", answer)
        .build();
    server.start().join();
    return new ReferenceHttp(server, clients);
  }

  @Override
  public void close() {
    server.stop().join();
    if (clients != null) {
      clients.closeAsync();
    }
  }
}
