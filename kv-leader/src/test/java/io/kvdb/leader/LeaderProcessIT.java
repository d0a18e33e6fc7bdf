package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.testing.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One real leader process for the class, used over TCP as a client on another machine would. */
@Timeout(120)
class LeaderProcessIT {
  @TempDir static Path dir;
  private static LeaderProcess leader;

  @BeforeAll
  static void start() {
    leader = new LeaderProcess("leader", dir.resolve("data"), dir.resolve("logs")).start("--shards", "16");
  }

  @AfterAll
  static void stop() throws Exception {
    leader.close();
  }

  @Test
  void putGetDeleteListOverTcp() {
    WriteResponse put = leader.kv().put(PutRequest.newBuilder().setKey("tcp/one").setValue(ByteString.copyFromUtf8("1")).build());
    assertEquals(1, put.getSeq());
    leader.kv().put(PutRequest.newBuilder().setKey("tcp/two").setValue(ByteString.copyFrom(new byte[] {0, -1})).build());
    assertEquals("1", leader.kv().get(GetRequest.newBuilder().setKey("tcp/one").build()).getValue().toStringUtf8());
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("tcp/").build());
    assertEquals(List.of("tcp/one", "tcp/two"), page.getItemsList().stream().map(KeyValue::getKey).toList());
    assertEquals(ByteString.copyFrom(new byte[] {0, -1}), page.getItems(1).getValue());
    leader.kv().delete(DeleteRequest.newBuilder().setKey("tcp/one").build());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> leader.kv().get(GetRequest.newBuilder().setKey("tcp/one").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals(16, leader.cluster().status(StatusRequest.getDefaultInstance()).getShards());
  }

  @Test
  void reflectionV1ListsTheServicesAndTheirDescriptorsResolve() throws Exception {
    assertReflection(ReflectionClient.v1(leader.channel()));
  }

  @Test
  void reflectionV1AlphaListsTheServicesAndTheirDescriptorsResolve() throws Exception {
    assertReflection(ReflectionClient.v1alpha(leader.channel()));
  }

  private static void assertReflection(ReflectionClient reflection) throws Exception {
    List<String> services = reflection.listServices();
    for (String expected : List.of("kv.v1.KV", "kv.v1.Cluster", "grpc.health.v1.Health")) {
      assertTrue(services.contains(expected), expected + " not in " + services);
    }

    FileDescriptor kvFile = reflection.resolve("kv.v1.KV");
    ServiceDescriptor kv = kvFile.findServiceByName("KV");
    assertNotNull(kv, "kv.v1.KV in " + kvFile.getName());
    assertEquals(List.of("Put", "Get", "Delete", "List", "Session", "Batch", "Watch"), kv.getMethods().stream().map(MethodDescriptor::getName).toList());
    assertEquals("kv.v1.PutRequest", kv.findMethodByName("Put").getInputType().getFullName());
    assertEquals("kv.v1.WriteResponse", kv.findMethodByName("Put").getOutputType().getFullName());
    assertEquals("kv.v1.WaitForAcks",
        kv.findMethodByName("Put").getInputType().findFieldByName("wait").getMessageType().getFullName());

    ServiceDescriptor cluster = reflection.resolve("kv.v1.Cluster").findServiceByName("Cluster");
    assertEquals(List.of("Status", "ShardDigests", "Backup", "Drain", "Undrain"), cluster.getMethods().stream().map(MethodDescriptor::getName).toList());
    assertNotNull(reflection.resolve("grpc.health.v1.Health").findServiceByName("Health"));
  }

  @Test
  void grpcHealthSaysServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(leader.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void httpHealthAndMetricsAnswerOnTheirOwnPort() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + leader.metricsPort + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\":\"SERVING\""), health.body());
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + leader.metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(leader.cluster().status(StatusRequest.getDefaultInstance()).getEpoch(),
        PrometheusText.value(metrics.body(), "kvdb_leader_epoch"), metrics.body());
  }

  @Test
  void startupLogsOneLinePerListener() {
    String log = leader.log();
    assertTrue(log.contains("gRPC (KV, Cluster, health, reflection) listening on 127.0.0.1:" + leader.grpcPort), log);
    assertTrue(log.contains("HTTP /metrics and /health listening on 127.0.0.1:" + leader.metricsPort), log);
  }

  @Test
  void childJvmGotTheTestFlagsFromThePom() {
    String property = System.getProperty("kvdb.test.childJvmArgs");
    assertNotNull(property, "failsafe did not pass kvdb.test.childJvmArgs from the parent pom");
    List<String> args = Arrays.asList(ProcessHandle.of(leader.process().pid()).orElseThrow().info().arguments().orElseThrow());
    for (String flag : property.trim().split("\\s+")) {
      assertTrue(args.contains(flag), flag + " missing from the child's arguments " + args);
    }
  }
}
