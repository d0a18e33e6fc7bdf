package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.testing.JavaProcess;
import io.kvdb.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and bearer tokens end to end on real processes: a leader and two followers whose gRPC ports
 * speak TLS only and want tokens. The test's own clients use TLS and a write token, so the load,
 * its history check and the convergence check all go through the secured path; then plaintext,
 * tokenless and read-only attempts are refused, and the data is unchanged by digest.
 */
@Timeout(300)
class AccessControlIT {
  private static final String READ_TOKEN = "it-read-token-7f3a9c2e41d8";
  private static final String WRITE_TOKEN = "it-write-token-5b8e1d6a93c0";
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void securedClusterServesTokenHoldersOverTlsAndRefusesEveryoneElse() throws Exception {
    TestCertificates.Pem tls = TestCertificates.selfSigned(dir, "cluster");
    Path tokens = Files.writeString(dir.resolve("tokens"),
        "# test tokens\nread " + READ_TOKEN + "\nwrite " + WRITE_TOKEN + "\n");
    String[] secured = {"--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString(),
        "--token-file", tokens.toString()};
    String[] leaderArgs = concat(new String[] {"--shards", "8"}, secured);
    try (TestCluster cluster = new TestCluster(dir, leaderArgs).secureClients(tls.cert(), WRITE_TOKEN)) {
      cluster.startLeader();
      cluster.addFollower("f1", secured);
      cluster.addFollower("f2", secured);
      Load load = new Load(cluster.client(), "acl", 4, 100).run(250);
      assertEquals(1000, load.acknowledged(), "every write with the write token over TLS is acknowledged");
      Map<Integer, ShardDigest> before = Convergence.await(cluster, CONVERGE);
      Load.Verdict verdict = load.verify(cluster.client());
      assertEquals(0, verdict.lost(), verdict.examples().toString());

      // Plaintext to a TLS-only port: no connection at all.
      ManagedChannel plaintext = NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort).usePlaintext().build();
      ManagedChannel tlsNoToken = NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort,
          TlsChannelCredentials.newBuilder().trustManager(tls.cert().toFile()).build()).build();
      try {
        assertCode(Status.Code.UNAVAILABLE, () -> kv(plaintext, null).put(put("acl/0/0", "plaintext")));
        assertCode(Status.Code.UNAUTHENTICATED, () -> kv(tlsNoToken, null).put(put("acl/0/0", "no token")));
        assertCode(Status.Code.UNAUTHENTICATED, () -> kv(tlsNoToken, "wrong-token-0000000000").delete(
            DeleteRequest.newBuilder().setKey("acl/0/1").build()));
        assertCode(Status.Code.PERMISSION_DENIED, () -> kv(tlsNoToken, READ_TOKEN).put(put("acl/0/0", "read token")));
        assertCode(Status.Code.PERMISSION_DENIED, () -> kv(tlsNoToken, READ_TOKEN).delete(
            DeleteRequest.newBuilder().setKey("acl/0/1").build()));
        kv(tlsNoToken, READ_TOKEN).list(ListRequest.getDefaultInstance());
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(tlsNoToken).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health stays open without a token");

        // A follower's read API wants a token too.
        TestCluster.Follower f1 = cluster.follower("f1");
        ManagedChannel followerNoToken = NettyChannelBuilder.forAddress("127.0.0.1", f1.grpcPort,
            TlsChannelCredentials.newBuilder().trustManager(tls.cert().toFile()).build()).build();
        try {
          FollowerGrpc.FollowerBlockingStub follower = FollowerGrpc.newBlockingStub(followerNoToken)
              .withDeadlineAfter(10, TimeUnit.SECONDS);
          assertCode(Status.Code.UNAUTHENTICATED, () -> follower.status(FollowerStatusRequest.getDefaultInstance()));
          assertEquals("live", follower.withInterceptors(bearer(READ_TOKEN))
              .status(FollowerStatusRequest.getDefaultInstance()).getState());
        } finally {
          followerNoToken.shutdownNow();
        }
      } finally {
        plaintext.shutdownNow();
        tlsNoToken.shutdownNow();
      }

      assertEquals(before, Convergence.leaderDigests(cluster), "a refused call changed the leader's data");
      assertTrue(Convergence.mismatch(cluster) == null, "followers still equal the leader");
      assertEquals(0, load.verify(cluster.client()).lost());
    }
  }

  @Test
  void aFlagNamingAMissingFileStopsTheLeaderWithExitCode2() {
    Path missing = dir.resolve("no-such-cert.pem");
    JavaProcess leader = JavaProcess.start("leader-bad-flags", JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
        "--host", "127.0.0.1", "--data-dir", dir.resolve("data").toString(), "--tls-cert", missing.toString(),
        "--tls-key", missing.toString());
    assertTrue(leader.waitFor(Duration.ofSeconds(60)), "the leader did not exit");
    assertEquals(2, leader.exitValue(), leader.log());
    assertTrue(leader.log().contains("--tls-cert " + missing + ": no such file"), leader.log());
    assertFalse(Files.exists(dir.resolve("data")), "nothing was created before the flags were checked");
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel channel, String token) {
    KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    return token == null ? stub : stub.withInterceptors(bearer(token));
  }

  private static io.grpc.ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static void assertCode(Status.Code expected, org.junit.jupiter.api.function.Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
