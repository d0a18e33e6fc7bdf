package io.kvdb.client;

import io.grpc.Channel;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.StatusResponse;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Reads from the followers' copies, for when the leader cannot be reached: an explicit opt-in,
 * apart from {@link KvClient}, which only ever reads from the leader. Every call asks followers
 * with {@code allow_stale}, so an answer may lack the newest writes; each answer says which copy
 * it came from and that copy's applied seq.
 *
 * <p><b>Where the followers are.</b> A {@link FollowerMap}: from the leader's last
 * {@code Cluster.Status} ({@link #useStatus}), or learned from the followers themselves
 * ({@link #discoverAsync}: their Status, {@code readable_shards} and {@code shard_count}). The map
 * is shared by every view of the reader and may be replaced at any time.
 *
 * <p><b>get</b> asks every known holder of the key's shard at once and keeps the reply with the
 * highest applied seq (a not-found counts as a reply, with the seq of the copy that said so).
 * When no holder answers, the future fails with {@link ShardUnavailableException} naming the shard.
 *
 * <p><b>list</b> first asks each known follower's Status and chooses, for each shard, the readable
 * copy with the highest applied seq, before the first pair; each chosen follower is then asked
 * only for its shards ({@code ListRequest.shards}), and the listings are merged in key order,
 * page by page, so no key comes twice. Shards that no reachable follower can serve are
 * {@link StaleListing#missingShards() reported}, and a follower that fails in the middle ends the
 * listing with a {@link StalePage#failure() failure} naming its shards, after the pairs already
 * delivered.
 *
 * <p>Calls follow the {@link KvOptions} (deadline, token, retries of reads). Thread-safe.
 */
public interface StaleReader extends AutoCloseable {
  /** A reader that dials each follower with this library's transport, secured as {@code options.tls()} says. */
  static StaleReader connect(KvOptions options) {
    return StaleReaderImpl.dialling(address -> Channels.open(address, options.tls()), true, options);
  }

  /**
   * A reader that asks {@code dial} for the channel of each follower address (once per address);
   * the channels stay yours to close. The HTTP gateway passes Armeria's.
   */
  static StaleReader over(Function<String, Channel> dial, KvOptions options) {
    return StaleReaderImpl.dialling(dial, false, options);
  }

  KvOptions options();

  /** A view (same channels, same map) that calls with {@code options}; their {@code tls} is not used. */
  StaleReader withOptions(KvOptions options);

  /** A view that sends {@code token} as bearer token. */
  default StaleReader withToken(String token) {
    return withOptions(options().withToken(token));
  }

  /** Uses the followers and shards of the leader's {@code status} from now on. */
  default void useStatus(StatusResponse status) {
    use(FollowerMap.fromStatus(status));
  }

  /** Uses {@code map} from now on. */
  void use(FollowerMap map);

  /** The map in use; empty before the first {@link #use} or {@link #discoverAsync}. */
  Optional<FollowerMap> followers();

  /**
   * Asks each of {@code addresses} (HOST:PORT) for its Status and uses what those that answered
   * can serve ({@link FollowerMap#fromFollowers}), together with the map already in use when the
   * shard counts agree. Fails with a {@link KvException} UNAVAILABLE when none answered.
   */
  CompletableFuture<FollowerMap> discoverAsync(Collection<String> addresses);

  /** The freshest copy of {@code key} among its shard's reachable holders; see the class comment. */
  CompletableFuture<StaleValue> getAsync(String key);

  /**
   * {@link #getAsync}, blocking.
   *
   * @throws ShardUnavailableException when no holder of the key's shard answered
   * @throws IllegalStateException when no map is in use
   */
  StaleValue get(String key);

  /**
   * A merged listing of the pairs {@code request} selects (prefix, start_after, keys_only; its
   * limit is the page size asked of each follower, 0: 1,000), with its holders chosen; read it
   * with {@link StaleListing#nextPage}. Its {@code shards} and {@code allow_stale} are set here.
   */
  CompletableFuture<StaleListing> listAsync(ListRequest request);

  /** {@link #listAsync}, blocking. */
  StaleListing list(ListRequest request);

  /** Closes the channels that {@link #connect} built; a reader over your channels, or a view, closes nothing. */
  @Override
  void close();
}
