package io.kvdb.leader;

import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.client.ClientFlags;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvException;
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
 * through the client library with the TLS trust and token of the leader's client flags
 * ({@code --tls-ca}, {@code --tls}, {@code --token} or {@code KV_TOKEN}, as the {@code kv} client
 * takes them), before the leader opens anything. A refusal (followers of another leader or shard
 * count, a follower that refuses the token or the TLS trust, a copy that fails its checksum or
 * digest, a data dir that is not empty) stops the start as a data dir that cannot be used, saying
 * why. A follower that is down is left out, its shards missing unless another holds them.
 */
final class LeaderRebuild {
  private static final Logger log = LoggerFactory.getLogger(LeaderRebuild.class);
  private static final KvOptions DEFAULTS = KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(10));

  private LeaderRebuild() {}

  static Rebuild.Result run(Recovery recovery, Path dataDir) {
    List<String> followers = recovery.rebuildFromFollowers();
    KvOptions options = recovery.followerAccess().applyTo(DEFAULTS);
    List<FollowerClient> clients = new ArrayList<>();
    try {
      List<Rebuild.Source> sources = new ArrayList<>();
      for (String address : followers) {
        FollowerClient client = FollowerClient.connect(address, options);
        clients.add(client);
        sources.add(new Rebuild.Source() {
          @Override
          public String address() {
            return address;
          }

          @Override
          public FollowerStatusResponse status() {
            try {
              return client.status();
            } catch (KvException e) {
              String why = ClientFlags.describe(e.status()) + ClientFlags.hint(e.status(), options);
              if (ClientFlags.refusedCredentials(e.status(), options)) {
                throw new DumpException("follower " + address + " refused the rebuild's call: " + why, e);
              }
              throw new IllegalStateException(why, e);
            }
          }

          @Override
          public Stream<DumpMessage> snapshot(List<Integer> shards) {
            return client.snapshot(shards, 0);
          }
        });
      }
      log.info("rebuilding this leader in {} from followers {} ({})", dataDir, followers, options.tls()
          + (options.token().isPresent() ? ", with a bearer token" : ", no token"));
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
