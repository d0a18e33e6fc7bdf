package io.kvdb.leader;

import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.testing.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a scrape of a real leader's /metrics shows after it served some calls. */
@Timeout(60)
class LeaderMetricsTest {
  @RegisterExtension static final TestLeader leader = TestLeader.inProcess();

  private static final String PUT_OK = "{code=\"OK\",method=\"kv.v1.KV/Put\"}";

  @Test
  void aScrapeShowsTheJvmTheGrpcLatenciesAndTheWritePipeline() throws Exception {
    String before = scrape();
    double putsBefore = PrometheusText.find(before, "kvdb_grpc_requests_seconds_count" + PUT_OK).orElse(0.0);
    double batchesBefore = value(before, "kvdb_write_batch_size_count");
    double writesBefore = value(before, "kvdb_write_batch_size_sum");

    for (int i = 0; i < 3; i++) {
      leader.kv().put(PutRequest.newBuilder().setKey("metrics-" + i).setValue(ByteString.copyFromUtf8("v")).build());
    }
    StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
        () -> leader.kv().get(GetRequest.newBuilder().setKey("metrics-none").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    String after = scrape();

    for (String family : new String[] {"jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
        "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ", "process_files_open_files "}) {
      assertTrue(after.contains("\n" + family), family + " missing from:\n" + after);
    }
    // gRPC: a latency histogram per method and code
    assertEquals(putsBefore + 3, value(after, "kvdb_grpc_requests_seconds_count" + PUT_OK));
    assertEquals(putsBefore + 3,
        value(after, "kvdb_grpc_requests_seconds_bucket{code=\"OK\",method=\"kv.v1.KV/Put\",le=\"+Inf\"}"));
    assertTrue(value(after, "kvdb_grpc_requests_seconds_sum" + PUT_OK) > 0);
    assertEquals(1, value(after, "kvdb_grpc_requests_seconds_count{code=\"NOT_FOUND\",method=\"kv.v1.KV/Get\"}"));
    // the write pipeline: each put waited for its reply, so three batches of one
    assertEquals(batchesBefore + 3, value(after, "kvdb_write_batch_size_count"));
    assertEquals(writesBefore + 3, value(after, "kvdb_write_batch_size_sum"));
    assertEquals(batchesBefore + 3, value(after, "kvdb_write_batch_sync_seconds_count"));
    assertTrue(value(after, "kvdb_write_batch_sync_seconds_sum") > 0, "durable mode: each batch was synced");
    assertTrue(after.contains("\nkvdb_write_batch_sync_seconds_bucket{le=\""), "sync time is a histogram");
    // the leader's own gauges
    assertEquals(leader.server().metadata().epoch(), value(after, "kvdb_leader_epoch"));
    assertTrue(value(after, "kvdb_keys") >= 3);
    assertTrue(value(after, "kvdb_writes_committed") >= 3);
    assertEquals(0, value(after, "kvdb_followers_alive"));
    assertEquals(0, value(after, "kvdb_followers_lag_events_max"));
    assertTrue(value(after, "kvdb_replication_bad_frames_total") >= 0);
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + leader.server().metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }
}
