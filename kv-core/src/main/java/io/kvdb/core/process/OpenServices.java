package io.kvdb.core.process;

import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;

/**
 * The gRPC services every kvdb server offers without a token: grpc.health.v1 and server
 * reflection. They hold no keys or values.
 */
public final class OpenServices {
  private OpenServices() {}

  /** Adds health and reflection, both v1 and the older v1alpha that many grpcurl builds still speak. */
  public static ServerBuilder<?> addTo(ServerBuilder<?> builder, HealthStatusManager health) {
    return builder
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection());
  }

  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }
}
