package io.kvdb.core.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.PipelineMetrics;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.FollowerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader rebuilt from copies of its shards, each source a real LevelDB data dir read by the dump reader. */
class RebuildTest {
  @TempDir Path dir;

  /** A follower made of a data dir: its status and its snapshot stream, as Follower.Status and Snapshot give them. */
  private record Copy(String id, Path data, LeaderMetadata leader, List<Integer> shards,
      UnaryOperator<List<DumpMessage>> tamper) implements Rebuild.Source {
    Copy(String id, Path data, LeaderMetadata leader, List<Integer> shards) {
      this(id, data, leader, shards, messages -> messages);
    }

    @Override
    public String address() {
      return "127.0.0.1:" + id.hashCode() % 1000;
    }

    @Override
    public FollowerStatusResponse status() {
      FollowerStatusResponse.Builder status = FollowerStatusResponse.newBuilder().setId(id)
          .setLeaderId(leader.leaderId()).setLeaderEpoch(leader.epoch()).setState("connecting").setAssignmentVersion(3);
      try (KvStore store = KvStore.open(data, false)) {
        for (int shard : shards) {
          ShardState state = store.shardState(shard);
          status.addShards(ShardDigest.newBuilder().setShard(shard).setSeq(state.seq()).setKeys(state.keys())
              .setDigest(state.digest()));
          status.addReadableShards(ShardSeq.newBuilder().setShard(shard).setSeq(state.seq()));
        }
      }
      return status.build();
    }

    @Override
    public Stream<DumpMessage> snapshot(List<Integer> asked) {
      List<DumpMessage> messages = new ArrayList<>();
      try (KvStore store = KvStore.open(data, false);
          ShardDumpReader reader = new ShardDumpReader(store, store.snapshot(),
              new DumpOrigin(leader.leaderId(), leader.shards(), leader.epoch()), asked, 1024)) {
        reader.forEachRemaining(messages::add);
      }
      return tamper.apply(messages).stream();
    }
  }

  @Test
  void eachShardComesFromTheCopyThatAppliedTheMostAndTheFollowersAreKept() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("behind"), 400);
    copyDir(dir.resolve("behind"), dir.resolve("ahead"));
    LeaderMetadata later = writeMore(dir.resolve("ahead"), "later-", 200);
    List<Integer> all = IntStream.range(0, DumpFixture.SHARDS).boxed().toList();

    Rebuild.Result result = Rebuild.rebuild(List.of(new Copy("f1", dir.resolve("behind"), leader, all),
        new Copy("f2", dir.resolve("ahead"), later, all)), dir.resolve("rebuilt"));

    assertEquals(List.of(), result.missing());
    assertTrue(result.sourceOf().values().stream().allMatch("f2"::equals), "every shard from the one ahead: "
        + result.sourceOf());
    assertTrue(result.epochFloor() >= later.epoch());
    try (KvStore ahead = KvStore.open(dir.resolve("ahead"), false);
        KvStore rebuilt = KvStore.open(dir.resolve("rebuilt"), false)) {
      DumpFixture.assertSameShards(ahead, rebuilt, DumpFixture.SHARDS);
      List<FollowerRecord> members = new ArrayList<>();
      rebuilt.forEachFollowerRecord(bytes -> members.add(parse(bytes)));
      assertEquals(List.of("f1", "f2"), members.stream().map(FollowerRecord::getId).sorted().toList());
      assertEquals(all, members.get(0).getAssignedList());
      LeaderMetadata started = LeaderMetadata.start(rebuilt, OptionalInt.empty(), 64);
      assertEquals(leader.leaderId(), started.leaderId());
      assertTrue(started.epoch() > later.epoch(), "above every epoch the followers saw");
    }
  }

  @Test
  void followersOfAnotherLeaderAreRefusedNamingTheFollower() throws Exception {
    LeaderMetadata one = DumpFixture.filledLeader(dir.resolve("one"), 50);
    LeaderMetadata two = DumpFixture.filledLeader(dir.resolve("two"), 50);
    DumpException refused = assertThrows(DumpException.class, () -> Rebuild.rebuild(List.of(
        new Copy("f1", dir.resolve("one"), one, List.of(0)), new Copy("f2", dir.resolve("two"), two, List.of(1))),
        dir.resolve("rebuilt")));
    assertTrue(refused.getMessage().startsWith("follower f2 (") && refused.getMessage().contains("follows leader "
        + two.leaderId() + ", but follower f1"), refused.getMessage());
    assertFalse(Files.exists(dir.resolve("rebuilt")));
  }

  @Test
  void aFollowerThatRefusesToBeAskedStopsTheRebuildInsteadOfLeavingItsShardsMissing() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("leader"), 50);
    Copy good = new Copy("f1", dir.resolve("leader"), leader, List.of(0, 1, 2, 3));
    Rebuild.Source refusing = new Rebuild.Source() {
      @Override
      public String address() {
        return "127.0.0.1:2";
      }

      @Override
      public FollowerStatusResponse status() {
        throw new DumpException("follower 127.0.0.1:2 refused the rebuild's call: UNAUTHENTICATED: unknown token");
      }

      @Override
      public Stream<DumpMessage> snapshot(List<Integer> shards) {
        throw new AssertionError("not asked");
      }
    };
    DumpException refused = assertThrows(DumpException.class,
        () -> Rebuild.rebuild(List.of(good, refusing), dir.resolve("rebuilt")));
    assertTrue(refused.getMessage().startsWith("follower 127.0.0.1:2 refused"), refused.getMessage());
    assertFalse(Files.exists(dir.resolve("rebuilt")), "nothing written");
  }

  @Test
  void shardsNoFollowerHoldsAreListedAndTheirWritesRefusedUntilAccepted() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("leader"), 300);
    Copy partial = new Copy("f1", dir.resolve("leader"), leader, List.of(0, 1, 2, 3, 4, 5));
    Rebuild.Source unreachable = new Rebuild.Source() {
      @Override
      public String address() {
        return "127.0.0.1:1";
      }

      @Override
      public FollowerStatusResponse status() {
        throw io.grpc.Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException();
      }

      @Override
      public Stream<DumpMessage> snapshot(List<Integer> shards) {
        throw new AssertionError("not asked");
      }
    };
    Rebuild.Result result = Rebuild.rebuild(List.of(partial, unreachable), dir.resolve("rebuilt"));
    assertEquals(List.of(6, 7), result.missing());
    assertEquals(List.of("127.0.0.1:1"), result.unreachable());

    try (KvStore rebuilt = KvStore.open(dir.resolve("rebuilt"), false)) {
      assertEquals(List.of(6, 7), LeaderMetadata.missingShards(rebuilt));
      assertEquals(Set.of(6, 7), RebuildMark.read(rebuilt).orElseThrow().missing(), "kept for followers coming back");
      LeaderMetadata started = LeaderMetadata.start(rebuilt, OptionalInt.empty(), 64);
      try (WritePipeline pipeline = pipeline(rebuilt, started)) {
        pipeline.refuseShards(Set.copyOf(LeaderMetadata.missingShards(rebuilt)));
        String inMissing = keyIn(6);
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> pipeline.put(inMissing, new byte[] {1}).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof StatusRuntimeException);
        assertTrue(refused.getCause().getMessage().startsWith("FAILED_PRECONDITION: shard 6 is missing"),
            refused.getCause().getMessage());
        assertTrue(pipeline.put(keyIn(2), new byte[] {1}).get(10, TimeUnit.SECONDS).found(), "a held shard takes writes");
      }
      LeaderMetadata.acceptMissingShards(rebuilt);
      assertEquals(List.of(), LeaderMetadata.missingShards(rebuilt));
    }
  }

  @Test
  void anEmptyShardHeldByAFollowerIsTakenEmptyNotMissing() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("leader"), 2); // most of the 8 shards stay empty
    List<Integer> all = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    Rebuild.Result result = Rebuild.rebuild(List.of(new Copy("f1", dir.resolve("leader"), leader, all)),
        dir.resolve("rebuilt"));
    assertEquals(List.of(), result.missing(), "a complete copy of an empty shard is a copy");
    try (KvStore rebuilt = KvStore.open(dir.resolve("rebuilt"), false)) {
      assertEquals(List.of(), LeaderMetadata.missingShards(rebuilt));
    }
  }

  @Test
  void aCopyThatFailsItsDigestIsRefusedNamingTheFollowerAndNothingIsLeft() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("leader"), 300);
    Copy lying = new Copy("f1", dir.resolve("leader"), leader, List.of(0, 1), messages -> {
      List<DumpMessage> changed = new ArrayList<>(messages);
      DumpMessage header = changed.get(0);
      changed.set(0, header.toBuilder().setHeader(header.getHeader().toBuilder().setShards(1,
          header.getHeader().getShards(1).toBuilder().setDigest(42))).build());
      return changed;
    });
    DumpException refused = assertThrows(DumpException.class,
        () -> Rebuild.rebuild(List.of(lying), dir.resolve("rebuilt")));
    assertTrue(refused.getMessage().startsWith("follower f1 (") && refused.getMessage().contains("shard 1 chunk ")
        && refused.getMessage().contains("its header says"), refused.getMessage());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of("leader"), left.map(p -> p.getFileName().toString()).toList(), "no partial dir left");
    }
  }

  private static WritePipeline pipeline(KvStore store, LeaderMetadata leader) {
    return new WritePipeline(store, leader, 1000, new BacklogPins(), EventSink.NONE, store::write,
        new DiskSpace(store.dir(), "leader", 0), () -> 1_000L, PipelineMetrics.NONE,
        new Supervisor("rebuild test", status -> {}));
  }

  private static LeaderMetadata writeMore(Path data, String prefix, int keys) throws Exception {
    try (KvStore store = KvStore.open(data, false)) {
      LeaderMetadata leader = LeaderMetadata.start(store, OptionalInt.empty(), 64);
      try (WritePipeline pipeline = pipeline(store, leader)) {
        for (int i = 0; i < keys; i++) {
          pipeline.put(prefix + i, ("v" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
      }
      return leader;
    }
  }

  private static String keyIn(int shard) {
    io.kvdb.core.sharding.ShardFunction shards = new io.kvdb.core.sharding.ShardFunction(DumpFixture.SHARDS);
    for (int i = 0; ; i++) {
      if (shards.shardOf("probe-" + i) == shard) {
        return "probe-" + i;
      }
    }
  }

  private static FollowerRecord parse(byte[] bytes) {
    try {
      return FollowerRecord.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static void copyDir(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else if (!file.getFileName().toString().equals("LOCK")) {
          Files.copy(file, target);
        }
      }
    }
  }
}
