package io.kvdb.gateway;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.AnnotatedServiceBindingBuilder;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerListener;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.errors.JsonErrorHandler;
import io.kvdb.gateway.http.BatchHttpApi;
import io.kvdb.gateway.http.ClusterHttpApi;
import io.kvdb.gateway.http.KeyListing;
import io.kvdb.gateway.http.KvHttpApi;
import io.kvdb.gateway.http.WatchHttp;
import io.kvdb.gateway.http.WholeAnswers;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.leader.LeaderProxy;
import io.kvdb.gateway.ops.OpsServices;
import io.kvdb.gateway.stale.StaleReads;
import io.kvdb.gateway.v1.V1KvApi;
import io.kvdb.gateway.web.WebPage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar kv-http-gateway.jar [flags]}: the HTTP gateway of kvdb. It holds no data: every
 * request is a call to the leader through one shared {@code KvClient}, with the caller's bearer
 * token. It starts,
 * and answers /health, even while the leader is down; API calls then get 503 until the leader is
 * back.
 */
public final class GatewayMain {
  private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);

  private GatewayMain() {}

  public static void main(String[] args) {
    Optional<GatewayConfig> parsed;
    try {
      parsed = GatewayConfig.fromArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kv gateway: " + e.getMessage());
      System.exit(ExitCodes.BAD_INPUT);
      return;
    }
    if (parsed.isEmpty()) {
      System.out.print(GatewayConfig.usage());
      return;
    }
    GatewayConfig config = parsed.get();
    Server server = newServer(config);
    // The logger may already be shut down when the hook runs: write to stderr.
    server.closeOnJvmShutdown(() -> System.err.println("kv gateway: shutting down"));
    server.start().join();
    log.info("HTTP API, web page, /docs, /health and /metrics listening on {}://{}:{}", config.scheme(),
        config.host(), server.activeLocalPort());
    config.https().ifPresent(https -> log.info("HTTPS certificate: {}", https.describe()));
    log.info("leader at {} (gRPC, {}); CORS {}", config.leader(), config.leaderTls(),
        config.corsOrigins().isEmpty() ? "off" : "allows " + String.join(", ", config.corsOrigins()));
    log.info("while the leader is unreachable, reads are served stale from the followers of its last status{}",
        config.followers().isEmpty() ? "" : " or of --followers " + config.followers());
    config.exposureWarnings().forEach(warning -> log.warn(warning));
  }

  /** A gateway server as configured, not started. Used by main and by the tests. */
  public static Server newServer(GatewayConfig config) {
    return newServer(config, LeaderClient.connect(config.leader(), config.leaderTimeout(), config.leaderTls()));
  }

  /**
   * A gateway server as configured that reaches the leader through {@code leader} (which it
   * closes when it stops), not started. Tests hand in a client over a channel they watch.
   */
  public static Server newServer(GatewayConfig config, LeaderClient leader) {
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    ServerBuilder sb = Server.builder();
    // With a certificate the port speaks HTTPS only (a plaintext request gets no answer), so no
    // client keeps working while it sends tokens in clear text.
    config.https().ifPresentOrElse(https -> sb.https(address).tls(https.keyPair()), () -> sb.http(address));
    sb.gracefulShutdownTimeout(config.shutdownGrace(), config.shutdownGrace())
        // Guards requests that hang; each leader call has its own, shorter deadline.
        .requestTimeout(config.leaderTimeout().plus(Duration.ofSeconds(5)));
    // One thread for the HTTP connections and the leader's: measured faster on 2 cores than
    // Armeria's shared pool (docs/PERFORMANCE.md, "HTTP gateway: one event loop").
    leader.eventLoop().ifPresent(loop -> sb.workerGroup(loop, false));
    sb.childChannelPipelineCustomizer(WholeAnswers::consolidateFlushes);
    configureServices(sb, config, leader);
    return sb.build();
  }

  /** Every service of the gateway, on {@code sb}, calling the leader through {@code leader}. */
  public static void configureServices(ServerBuilder sb, GatewayConfig config, LeaderClient leader) {
    StaleReads stale = StaleReads.start(config, leader);
    sb.serverListener(ServerListener.builder().whenStopped(stopped -> {
      stale.close();
      leader.close();
    }).build());
    JsonErrorHandler errors = new JsonErrorHandler(config.leader().toString());
    OpsServices ops = new OpsServices();
    sb.errorHandler(errors);
    for (Object api : new Object[] {new KvHttpApi(leader, stale), new ClusterHttpApi(leader, stale),
        new V1KvApi(leader, stale), new BatchHttpApi(leader, stale)}) {
      annotated(sb, config, errors, ops).decorator(WholeAnswers::new).build(api);
    }
    for (Object streamed : new Object[] {new WatchHttp(leader), new KeyListing(leader, stale)}) {
      annotated(sb, config, errors, ops).build(streamed);
    }
    GrpcServiceBuilder proxy = GrpcService.builder()
        .supportedSerializationFormats(GrpcSerializationFormats.values())
        // Lets /docs call the gRPC methods with JSON from its form.
        .enableUnframedRequests(true);
    LeaderProxy.services(leader).forEach(proxy::addService);
    sb.service(proxy.build(), ops.requestMetrics());
    ops.configure(sb);
    WebPage.configure(sb);
    if (!config.corsOrigins().isEmpty()) {
      sb.decorator(CorsService.builder(config.corsOrigins())
          // PUT: the /v1 routes' writes
          .allowRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS)
          // Authorization: pages of the listed origins send the user's token; the x-/grpc- ones are
          // what gRPC-Web clients (grpc-web, Connect) send.
          .allowRequestHeaders(HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.AUTHORIZATION,
              HttpHeaderNames.of("x-grpc-web"), HttpHeaderNames.of("x-user-agent"), HttpHeaderNames.of("grpc-timeout"))
          // and the marks of reads served from followers while the leader is down, and gRPC-Web's
          // status, which comes in headers when a call fails at once
          .exposeHeaders(HttpHeaderNames.WWW_AUTHENTICATE, HttpHeaderNames.of("x-kv-stale"),
              HttpHeaderNames.of("x-kv-applied-seq"), HttpHeaderNames.of("x-kv-missing-shards"),
              HttpHeaderNames.of("grpc-status"), HttpHeaderNames.of("grpc-message"),
              HttpHeaderNames.of("grpc-status-details-bin"))
          .maxAge(Duration.ofHours(1))
          .newDecorator());
    }
  }

  private static AnnotatedServiceBindingBuilder annotated(ServerBuilder sb, GatewayConfig config,
      JsonErrorHandler errors, OpsServices ops) {
    return sb.annotatedService()
        .maxRequestLength(config.maxBodyBytes())
        .exceptionHandlers(errors)
        .decorator(ops.requestMetrics());
  }
}
