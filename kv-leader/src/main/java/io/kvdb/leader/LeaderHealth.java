package io.kvdb.leader;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.core.metrics.MetricsHttpServer;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.storage.LeaderMetadata;
import java.util.Optional;

/**
 * The leader's health, one answer for gRPC health and HTTP /health: SERVING once started, and
 * NOT_SERVING (503) while stopping or after a thread of the process died.
 */
final class LeaderHealth {
  private final HealthStatusManager grpc = new HealthStatusManager();
  private final Supervisor supervisor;

  LeaderHealth(Supervisor supervisor) {
    this.supervisor = supervisor;
  }

  HealthStatusManager grpc() {
    return grpc;
  }

  /** Started: SERVING, unless a thread already died. */
  void serving() {
    if (supervisor.death().isEmpty()) {
      set(ServingStatus.SERVING);
    }
  }

  /** A thread died: NOT_SERVING until the process exits. */
  void notServing() {
    set(ServingStatus.NOT_SERVING);
  }

  /** Stopping: NOT_SERVING for good. */
  void stopping() {
    grpc.enterTerminalState();
  }

  private void set(ServingStatus status) {
    grpc.setStatus("", status);
    grpc.setStatus(KVGrpc.SERVICE_NAME, status);
    grpc.setStatus(ClusterGrpc.SERVICE_NAME, status);
  }

  /** /health: 200 while {@code grpcUp} and no thread died, 503 otherwise (naming the thread). */
  MetricsHttpServer.Health http(boolean grpcUp, LeaderMetadata metadata) {
    Optional<Supervisor.Death> death = supervisor.death();
    boolean serving = grpcUp && death.isEmpty();
    return new MetricsHttpServer.Health(serving, String.format(
        "{\"status\":\"%s\",\"role\":\"leader\",\"leaderId\":\"%s\",\"epoch\":%d%s}",
        serving ? "SERVING" : "NOT_SERVING", metadata.leaderId(), metadata.epoch(),
        death.map(d -> ",\"threadDied\":\"" + d.thread() + "\"").orElse("")));
  }
}
