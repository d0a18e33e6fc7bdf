package io.kvdb.compare.reference;

import io.kvdb.common.config.Flags;
import io.kvdb.common.net.HostPort;
import io.kvdb.common.process.ExitCodes;

/**
 * The second main class of the kv-compare jar: the reference servers {@code kv compare} measures
 * kvdb against, in a JVM of their own so that their CPU is not the tool's. Each answers the
 * gateway's paths, so kv bench's HTTP target loads them unchanged:
 *
 * <ul>
 *   <li>{@code --ceiling-port}: constant JSON for {@code POST /set} and {@code GET /get/{key}}, the
 *       most this HTTP server and client do on this machine ({@link ReferenceHttp#ceiling});
 *   <li>{@code --health-proxy-port}: the same, answered after one async gRPC health check call to
 *       {@code --leader} ({@link ReferenceHttp#healthProxy});
 *   <li>{@code --empty-grpc-port}: a bare gRPC server with only {@code grpc.health.v1.Health}, whose
 *       Check is the "empty call" ({@link EmptyGrpcServer}).
 * </ul>
 *
 * It runs until killed (SIGTERM stops the servers).
 */
public final class ReferenceMain {
  private ReferenceMain() {}

  public static void main(String[] args) throws Exception {
    Flags flags = new Flags("kv-compare reference servers")
        .declare("host", "127.0.0.1", "address every server binds to")
        .declare("ceiling-port", "", "HTTP: constant JSON for POST /set and GET /get/{key}")
        .declare("health-proxy-port", "", "HTTP: the same, after one async gRPC health call to --leader")
        .declare("leader", "127.0.0.1:50051", "gRPC HOST:PORT that --health-proxy-port calls")
        .declare("empty-grpc-port", "", "gRPC: grpc.health.v1 Check only (the empty call)");
    try {
      if (!flags.parse(args)) {
        System.out.println(flags.usage());
        return;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("reference: " + e.getMessage());
      System.exit(ExitCodes.BAD_INPUT);
    }
    String host = flags.string("host");
    ReferenceHttp ceiling = ReferenceHttp.ceiling(host, flags.integer("ceiling-port"));
    ReferenceHttp proxy = ReferenceHttp.healthProxy(host, flags.integer("health-proxy-port"),
        HostPort.parse("--leader", flags.string("leader")));
    EmptyGrpcServer empty = EmptyGrpcServer.start(host, flags.integer("empty-grpc-port"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("reference: stopping");
      ceiling.close();
      proxy.close();
      empty.close();
    }, "reference-shutdown"));
    System.err.printf("reference: ceiling on %d, health proxy on %d (leader %s), empty gRPC on %d%n",
        flags.integer("ceiling-port"), flags.integer("health-proxy-port"), flags.string("leader"),
        flags.integer("empty-grpc-port"));
    empty.awaitTermination();
  }
}
