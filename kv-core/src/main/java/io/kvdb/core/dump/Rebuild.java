package io.kvdb.core.dump;

import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.leader.Membership;
import io.kvdb.replication.v1.FollowerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kv leader --rebuild-from-followers}: makes a leader data dir from its followers' copies,
 * before the leader opens any port. Each follower's status is asked first: they must follow the
 * same leader id and shard count (else the rebuild is refused, naming the follower that differs).
 * Each shard is then pulled, as a shard dump, from the follower with the highest applied seq for
 * it, and checked against its digest ({@link LeaderDirWriter}). The data dir keeps the leader id,
 * each shard's seq and its head log entry (so followers resume with no snapshot), an epoch above
 * every one the followers saw, and the followers with the shards they hold (so nothing is placed
 * anew at the start). Shards no reachable follower holds are listed as missing in the data dir; the
 * leader refuses writes to them until an operator accepts them empty.
 */
public final class Rebuild {
  private static final Logger log = LoggerFactory.getLogger(Rebuild.class);

  /** One follower to rebuild from. */
  public interface Source {
    /** HOST:PORT, as the operator gave it. */
    String address();

    /**
     * Its status. Throws {@link DumpException} when the follower answered but refused to be asked
     * (a token or TLS trust it does not take): the rebuild stops, as leaving it out would leave its
     * shards missing for want of a flag. Any other exception: it cannot be asked, and is left out.
     */
    FollowerStatusResponse status();

    /** The shard dump of {@code shards} from its copy; closing the stream ends the call. */
    Stream<DumpMessage> snapshot(List<Integer> shards);
  }

  /** What the rebuild made: the cluster, which follower each shard came from, what is missing. */
  public record Result(String leaderId, int shardCount, long epochFloor, Map<Integer, String> sourceOf,
      List<Integer> missing, List<String> unreachable) {}

  private record Asked(Source source, FollowerStatusResponse status) {}

  private Rebuild() {}

  /** Rebuilds into {@code dataDir} (absent or empty) from {@code sources}. */
  public static Result rebuild(List<Source> sources, Path dataDir) throws IOException {
    DataDirs.checkEmpty(dataDir);
    List<Asked> asked = new ArrayList<>();
    List<String> unreachable = new ArrayList<>();
    for (Source source : sources) {
      try {
        asked.add(new Asked(source, source.status()));
      } catch (DumpException e) {
        throw e;
      } catch (RuntimeException e) {
        log.warn("rebuild: follower {} cannot be asked, its copies are left out: {}", source.address(), e.getMessage());
        unreachable.add(source.address());
      }
    }
    if (asked.isEmpty()) {
      throw new DumpException("no follower could be asked (" + String.join(", ", unreachable) + ")");
    }
    checkAgreement(asked);
    long epochFloor = asked.stream().mapToLong(a -> a.status.getLeaderEpoch()).max().orElse(0);
    Map<Integer, Asked> best = plan(asked);
    return DataDirs.writeWhole(dataDir, store -> {
      LeaderDirWriter writer = new LeaderDirWriter(store);
      Map<Source, List<Integer>> bySource = new LinkedHashMap<>();
      best.forEach((shard, from) -> bySource.computeIfAbsent(from.source, s -> new ArrayList<>()).add(shard));
      for (Map.Entry<Source, List<Integer>> pull : bySource.entrySet()) {
        pull(writer, pull.getKey(), pull.getValue(), name(asked, pull.getKey()));
      }
      List<FollowerRecord> members = asked.stream().map(Rebuild::record).toList();
      LeaderDirWriter.Result written = writer.finish(epochFloor, true, (batch, dump) -> {
        Membership.seed(batch, members);
        Map<Integer, Long> heads = new TreeMap<>();
        dump.shards().forEach((shard, state) -> heads.put(shard, state.getSeq()));
        RebuildMark.write(batch, dump.epochFloor(), dump.shardCount(), heads, dump.missing());
      });
      Map<Integer, String> sourceOf = new TreeMap<>();
      best.forEach((shard, from) -> sourceOf.put(shard, from.status.getId()));
      return new Result(written.leaderId(), written.shardCount(), written.epochFloor(), sourceOf, written.missing(),
          List.copyOf(unreachable));
    });
  }

  /** Leader id and shard count must be the same on every follower that knows them. */
  private static void checkAgreement(List<Asked> asked) {
    Asked first = null;
    for (Asked a : asked) {
      if (a.status.getLeaderId().isEmpty()) {
        continue; // restarted and not yet synced: its dump's header says, and the writer checks it
      }
      if (first == null) {
        first = a;
      } else if (!first.status.getLeaderId().equals(a.status.getLeaderId())) {
        throw new DumpException("follower " + a.status.getId() + " (" + a.source.address() + ") follows leader "
            + a.status.getLeaderId() + ", but follower " + first.status.getId() + " (" + first.source.address()
            + ") follows leader " + first.status.getLeaderId() + ": they are not copies of one cluster");
      }
    }
    Asked counted = null;
    for (Asked a : asked) {
      if (a.status.getShardCount() == 0) {
        continue;
      }
      if (counted == null) {
        counted = a;
      } else if (counted.status.getShardCount() != a.status.getShardCount()) {
        throw new DumpException("follower " + a.status.getId() + " (" + a.source.address() + ") knows "
            + a.status.getShardCount() + " shards, but follower " + counted.status.getId() + " knows "
            + counted.status.getShardCount());
      }
    }
  }

  /** Per shard, the follower that applied the most of it (the first one asked, at equal seqs). */
  private static Map<Integer, Asked> plan(List<Asked> asked) {
    Map<Integer, Asked> best = new TreeMap<>();
    Map<Integer, Long> bestSeq = new TreeMap<>();
    for (Asked a : asked) {
      // Complete copies only, as the follower's read view says (an empty shard held live is one too).
      for (ShardSeq shard : a.status.getReadableShardsList()) {
        if (!bestSeq.containsKey(shard.getShard()) || shard.getSeq() > bestSeq.get(shard.getShard())) {
          best.put(shard.getShard(), a);
          bestSeq.put(shard.getShard(), shard.getSeq());
        }
      }
    }
    return best;
  }

  private static void pull(LeaderDirWriter writer, Source source, List<Integer> shards, String name) {
    log.info("rebuild: pulling {} shards from {}", shards.size(), name);
    long messages = 0;
    try (Stream<DumpMessage> dump = source.snapshot(shards)) {
      for (Iterator<DumpMessage> it = dump.iterator(); it.hasNext(); ) {
        writer.accept(it.next(), name + ": message " + messages++);
      }
    } catch (DumpException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DumpException(name + ": the snapshot stream failed after " + messages + " messages: " + e.getMessage(),
          e);
    }
    writer.endOfStream(name + ": the end of its stream");
    log.info("rebuild: {} shards from {} in place ({} messages)", shards.size(), name, messages);
  }

  private static String name(List<Asked> asked, Source source) {
    return asked.stream().filter(a -> a.source == source).findFirst()
        .map(a -> "follower " + a.status.getId() + " (" + source.address() + ")").orElse(source.address());
  }

  private static FollowerRecord record(Asked a) {
    FollowerRecord.Builder record = FollowerRecord.newBuilder().setId(a.status.getId())
        .setAddress(a.source.address()).setAssignedVersion(a.status.getAssignmentVersion());
    a.status.getShardsList().forEach(shard -> record.addAssigned(shard.getShard()));
    return record.build();
  }
}
