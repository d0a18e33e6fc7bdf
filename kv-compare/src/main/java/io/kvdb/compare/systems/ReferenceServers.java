package io.kvdb.compare.systems;

import java.time.Duration;

/**
 * The reference servers ({@code io.kvdb.compare.reference.ReferenceMain}) in a JVM of their own,
 * started from the kv-compare jar with the same JVM flags as kvdb's processes.
 *
 * @param ceilingPort HTTP: constant JSON
 * @param healthProxyPort HTTP: constant JSON after one async gRPC health call to the leader
 * @param emptyGrpcPort gRPC: Health/Check only
 */
public record ReferenceServers(int ceilingPort, int healthProxyPort, int emptyGrpcPort) {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** Starts them; the health proxy calls the leader at {@code leaderAddress}. */
  public static ReferenceServers start(Processes processes, Launch launch, String leaderAddress) {
    ReferenceServers ports = new ReferenceServers(processes.freePort(), processes.freePort(), processes.freePort());
    Processes.Started jvm = processes.start("reference", launch.compareMain("io.kvdb.compare.reference.ReferenceMain",
        "--ceiling-port", ports.ceilingPort + "", "--health-proxy-port", ports.healthProxyPort + "",
        "--empty-grpc-port", ports.emptyGrpcPort + "", "--leader", leaderAddress));
    processes.awaitPort(jvm, ports.ceilingPort, START_TIMEOUT);
    processes.awaitPort(jvm, ports.healthProxyPort, START_TIMEOUT);
    processes.awaitPort(jvm, ports.emptyGrpcPort, START_TIMEOUT);
    return ports;
  }
}
