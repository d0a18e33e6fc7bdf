package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC services the gateway forwards (for /docs) reach the leader and keep its statuses. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GrpcProxyTest {
  @TempDir Path dataDir;

  @Test
  void grpcCallsThroughTheGatewayReachTheLeader() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.uri("/").getPort())
          .usePlaintext().build();
      try {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        kv.put(PutRequest.newBuilder().setKey("via-gateway").setValue(ByteString.copyFromUtf8("grpc")).build());

        assertEquals("grpc", leader.kv().get(GetRequest.newBuilder().setKey("via-gateway").build())
            .getValue().toStringUtf8());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
            () -> kv.get(GetRequest.newBuilder().setKey("absent").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals(8, ClusterGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance()).getShards());
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
