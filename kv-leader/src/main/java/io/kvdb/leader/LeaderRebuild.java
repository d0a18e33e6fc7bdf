package io.kvdb.leader;

import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvOptions;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.dump.Rebuild;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --rebuild-from-followers}: runs {@link Rebuild} over the followers given, each asked
 * through the client library (plaintext, no token), before the leader opens anything. A refusal
 * (followers of another leader or shard count, a copy that fails its checksum or digest, a data
 * dir that is not empty) stops the start as a data dir that cannot be used, saying why.
 */
final class LeaderRebuild {
  private static final Logger log = LoggerFactory.getLogger(LeaderRebuild.class);
  private static final KvOptions OPTIONS = KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(10));

  private LeaderRebuild() {}

  static Rebuild.Result run(List<String> followers, Path dataDir) {
    List<FollowerClient> clients = new ArrayList<>();
    try {
      List<Rebuild.Source> sources = new ArrayList<>();
      for (String address : followers) {
        FollowerClient client = FollowerClient.connect(address, OPTIONS);
        clients.add(client);
        sources.add(new Rebuild.Source() {
          @Override
          public String address() {
            return address;
          }

          @Override
          public FollowerStatusResponse status() {
            return client.status();
          }

          @Override
          public Stream<DumpMessage> snapshot(List<Integer> shards) {
            return client.snapshot(shards, 0);
          }
        });
      }
      log.info("rebuilding this leader in {} from followers {}", dataDir, followers);
      Rebuild.Result result = Rebuild.rebuild(sources, dataDir);
      log.info("rebuilt leader {} ({} shards) from {} followers: {} shards in place, missing {}, unreachable {}",
          result.leaderId(), result.shardCount(), followers.size() - result.unreachable().size(),
          result.sourceOf().size(), result.missing(), result.unreachable());
      return result;
    } catch (DumpException | IOException e) {
      throw new StorageException("rebuild from followers refused: " + e.getMessage() + "; nothing was written to "
          + dataDir, e);
    } finally {
      clients.forEach(FollowerClient::close);
    }
  }
}
