package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.core.security.ServerTls;
import io.kvdb.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channels that connect builds: plaintext and TLS over loopback TCP (the transport that ships
 * with the library), to a small server that answers Status and ShardDigests as a leader and as a
 * follower would.
 */
@Timeout(60)
class ConnectTest {
  @TempDir Path dir;

  @Test
  void plaintextAndTlsReachTheServerAndCloseTheirChannel() throws Exception {
    Server plain = serve(InsecureServerCredentials.create());
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "localhost");
    Server tls = serve(ServerTls.load(pem.cert(), pem.key()).credentials());
    try {
      try (KvClient client = KvClient.connect("127.0.0.1:" + plain.getPort(), KvOptions.DEFAULT)) {
        assertEquals("the-leader", client.status().getLeaderId());
      }
      KvOptions trusting = KvOptions.DEFAULT.withTls(TlsTrust.caFile(pem.cert()));
      try (KvClient client = KvClient.connect("localhost:" + tls.getPort(), trusting);
          FollowerClient follower = FollowerClient.connect("localhost:" + tls.getPort(), trusting)) {
        assertEquals("the-leader", client.status().getLeaderId());
        assertEquals(7, client.shardDigests(7).get(0).getSeq());
        assertEquals("the-follower", follower.status().getId());
        assertEquals(List.of(7L), follower.shardDigests().stream().map(ShardDigest::getSeq).toList());
      }
      try (KvClient client = KvClient.connect("localhost:" + tls.getPort(),
          KvOptions.DEFAULT.withTls(TlsTrust.systemRoots()).withReadRetries(1, Duration.ZERO))) {
        KvException untrusted = assertThrows(KvException.class, client::status);
        assertEquals(Status.Code.UNAVAILABLE, untrusted.code(), "the JVM's roots do not hold a test certificate");
      }
    } finally {
      plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anAddressThatIsNotHostPortIsRefused() {
    for (String bad : List.of("localhost", ":50051", "host:", "host:port", "host:70000")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> KvClient.connect(bad, KvOptions.DEFAULT));
      assertTrue(e.getMessage().startsWith("the address") && e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  private static Server serve(ServerCredentials credentials) throws Exception {
    return Grpc.newServerBuilderForPort(0, credentials).addService(new ClusterGrpc.ClusterImplBase() {
      @Override
      public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        response.onNext(StatusResponse.newBuilder().setLeaderId("the-leader").build());
        response.onCompleted();
      }

      @Override
      public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
        response.onNext(digests(request));
        response.onCompleted();
      }
    }).addService(new FollowerGrpc.FollowerImplBase() {
      @Override
      public void status(FollowerStatusRequest request, StreamObserver<FollowerStatusResponse> response) {
        response.onNext(FollowerStatusResponse.newBuilder().setId("the-follower").build());
        response.onCompleted();
      }

      @Override
      public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
        response.onNext(digests(request));
        response.onCompleted();
      }
    }).build().start();
  }

  /** One digest per shard asked for (shard 7 when none), at seq = the shard's number. */
  private static ShardDigestsResponse digests(ShardDigestsRequest request) {
    List<Integer> shards = request.getShardsCount() == 0 ? List.of(7) : request.getShardsList();
    ShardDigestsResponse.Builder reply = ShardDigestsResponse.newBuilder();
    shards.forEach(shard -> reply.addDigests(ShardDigest.newBuilder().setShard(shard).setSeq(shard)));
    return reply.build();
  }
}
