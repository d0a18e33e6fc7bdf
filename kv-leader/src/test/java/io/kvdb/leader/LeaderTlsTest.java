package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.security.ServerTls;
import io.kvdb.testing.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real leader on 127.0.0.1 whose gRPC port speaks TLS only (certificate made by keytool at test
 * time), with a write token: real TLS handshakes, as {@link LeaderMain} builds the transport.
 */
@Timeout(90)
class LeaderTlsTest {
  private static final String WRITER = "writer-token-0123456789";

  @TempDir Path dir;
  private TestCertificates.Pem server;
  private LeaderServer leader;

  @BeforeEach
  void start() throws Exception {
    server = TestCertificates.selfSigned(dir, "leader");
    GrpcSecurity security = new GrpcSecurity(Optional.of(ServerTls.load(server.cert(), server.key())),
        Optional.of(BearerTokens.of(Map.of(WRITER, Role.WRITE))));
    LeaderConfig config = LeaderConfig.forTest(dir.resolve("data")).withSecurity(security, Optional.empty());
    leader = new LeaderServer(config,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), security.credentials()));
    leader.start();
  }

  @AfterEach
  void stop() {
    leader.stop();
  }

  @Test
  void aClientThatTrustsTheCertificateWritesAndReads() throws Exception {
    withChannel(trusting(server.cert()), channel -> {
      KVGrpc.KVBlockingStub kv = writer(channel);
      kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("over tls")).build());
      assertEquals("over tls", kv.get(GetRequest.newBuilder().setKey("k").build()).getValue().toStringUtf8());
    });
  }

  @Test
  void plaintextAndUntrustingClientsCannotTalkToIt() throws Exception {
    withChannel(InsecureChannelCredentials.create(), channel -> assertUnavailable(writer(channel)));
    TestCertificates.Pem other = TestCertificates.selfSigned(dir, "someone-else");
    withChannel(trusting(other.cert()), channel -> assertUnavailable(writer(channel)));
  }

  private static void assertUnavailable(KVGrpc.KVBlockingStub kv) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
  }

  private static ChannelCredentials trusting(Path cert) throws IOException {
    return TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build();
  }

  private static KVGrpc.KVBlockingStub writer(ManagedChannel channel) {
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + WRITER);
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private interface ChannelUse {
    void accept(ManagedChannel channel) throws Exception;
  }

  private void withChannel(ChannelCredentials credentials, ChannelUse use) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort(), credentials).build();
    try {
      use.accept(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
