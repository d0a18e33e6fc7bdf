package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import io.kvdb.leader.RestoreMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kv backup from a real leader in this JVM over TCP, then kv restore, then a leader on the restored dir. */
@Timeout(120)
class KvBackupTest {
  @TempDir Path dir;


  @Test
  void backupRestoredIsTheSameLeaderWithANewEpoch() throws Exception {
    LeaderServer leader = started(dir.resolve("leader"));
    Path file = dir.resolve("backups").resolve("one.kvdump");
    Files.createDirectories(file.getParent());
    String leaderId;
    long epoch;
    List<?> digests;
    try (KvClient client = KvClient.connect("127.0.0.1:" + leader.grpcPort(), KvOptions.DEFAULT)) {
      // Values big enough that the dump is many chunks and outruns gRPC's flow-control window.
      ByteString value = ByteString.copyFromUtf8("v".repeat(2000));
      List<CompletableFuture<?>> puts = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        puts.add(client.putAsync("key-" + i, value));
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      client.put("last", ByteString.copyFromUtf8("written last"));
      digests = client.shardDigests();
      leaderId = client.status().getLeaderId();
      epoch = client.status().getEpoch();

      Result backup = kv(leader, "backup", file.toString());
      assertEquals(0, backup.code(), backup.err());
      assertTrue(backup.out().startsWith("backup of leader " + leaderId + " (epoch " + epoch + "): 8 shards, 3001 keys"),
          backup.out());
      assertEquals(List.of("one.kvdump"), names(file.getParent()), "the file, and no partial one");

      Result again = kv(leader, "backup", file.toString());
      assertEquals(1, again.code());
      assertTrue(again.err().contains("exists; a backup never replaces a file"), again.err());
    } finally {
      leader.stop();
    }

    Result restore = restore(file.toString(), "--data-dir", dir.resolve("restored").toString());
    assertEquals(0, restore.code(), restore.err());
    assertTrue(restore.out().startsWith("restored leader " + leaderId + ": 8 shards, 3001 keys"), restore.out());
    LeaderServer restored = started(dir.resolve("restored"));
    try (KvClient client = KvClient.connect("127.0.0.1:" + restored.grpcPort(), KvOptions.DEFAULT)) {
      assertEquals(digests, client.shardDigests(), "same seqs, keys and digests in every shard");
      assertEquals(leaderId, client.status().getLeaderId());
      assertTrue(client.status().getEpoch() > epoch, "a new epoch");
      assertEquals("written last", client.get("last").orElseThrow().toStringUtf8());
      client.put("after", ByteString.copyFromUtf8("restore"));
    } finally {
      restored.stop();
    }

    Result taken = restore(file.toString(), "--data-dir", dir.resolve("restored").toString());
    assertEquals(1, taken.code());
    assertTrue(taken.err().contains("is not empty"), taken.err());
    assertEquals(2, restore(file.toString()).code(), "usage");
  }

  @Test
  void backupOfAnUnreachableLeaderFailsAndWritesNothing() throws Exception {
    Result backup = kvAt("127.0.0.1:1", "backup", dir.resolve("none.kvdump").toString());
    assertEquals(3, backup.code(), backup.out());
    assertTrue(backup.err().contains("UNAVAILABLE"), backup.err());
    assertEquals(List.of(), names(dir));
  }

  private static LeaderServer started(Path dataDir) throws Exception {
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dataDir),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    return leader;
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Result kv(LeaderServer leader, String... args) {
    return kvAt("127.0.0.1:" + leader.grpcPort(), args);
  }

  private static Result kvAt(String address, String... args) {
    return CliRun.run(CliRun.withLeader(address, args));
  }

  private static Result restore(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RestoreMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
