package io.kvdb.gateway.stale;

import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.client.FollowerMap;
import io.kvdb.client.KvOptions;
import io.kvdb.client.StaleReader;
import io.kvdb.common.net.HostPort;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.leader.LeaderClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's reads from followers while the leader is unreachable, through kv-client's one
 * {@link StaleReader} (over Armeria channels dialled as the leader is). It keeps the shard map: the
 * leader's last {@code Cluster.Status}, read again every {@code --shard-map-refresh-ms} while the
 * leader is up (and taken from any caller's {@code GET /cluster}), together with what the followers
 * of {@code --followers} say of themselves in their Status (asked when the leader is found
 * unreachable, and at each refresh while it stays so), for a gateway that never saw the leader.
 *
 * <p>A read turns stale only when the leader's call failed as unreachable
 * ({@link HttpErrors#leaderUnreachable}): every request asks the leader first, so nothing is
 * served stale while the leader answers, whatever it answers (NOT_FOUND, DISK_FULL, a timeout).
 */
public final class StaleReads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StaleReads.class);

  private final LeaderClient leader;
  private final StaleReader reader;
  private final List<String> configured;
  /** The followers and shards of the leader's last status; null before the first. */
  private volatile FollowerMap fromLeader;
  /** What the followers of --followers said of themselves at the last asking; null before. */
  private volatile FollowerMap learned;
  /** The last asking of the --followers (done or under way); null before the first. */
  private final AtomicReference<CompletableFuture<?>> learning = new AtomicReference<>();
  /** The outcome of the last call that told: true after an unreachable leader, false after an answer. */
  private final AtomicBoolean leaderDown = new AtomicBoolean();
  private final ScheduledFuture<?> refresh;

  private StaleReads(LeaderClient leader, List<HostPort> followers, Duration every) {
    this.leader = leader;
    this.reader = StaleReader.over(leader::dialFollower, KvOptions.DEFAULT.withDeadline(leader.timeout()));
    this.configured = followers.stream().map(HostPort::toString).toList();
    // The first refresh waits one period: a gateway's first calls then meet the leader alone, each
    // with its own failure if it cannot be reached (its own callers' GET /cluster sets the map sooner).
    this.refresh = CommonPools.blockingTaskExecutor().scheduleWithFixedDelay(this::refresh, every.toMillis(),
        every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts keeping the shard map of {@code leader}, as {@code config} says; {@link #close} stops it. */
  public static StaleReads start(GatewayConfig config, LeaderClient leader) {
    return new StaleReads(leader, config.followers(), config.shardMapRefresh());
  }

  /** One refresh: the leader's status while it answers; else what the --followers say now. */
  private void refresh() {
    leader.anonymous().statusAsync().whenComplete((status, error) -> {
      if (error == null) {
        noteStatus(status);
      } else if (HttpErrors.leaderUnreachable(error)) {
        leaderDown.set(true);
        learn();
      }
      // Any other answer (a leader that wants a token): the map comes from the callers' GET /cluster.
    });
  }

  /** Asks the --followers (if any) what they can serve; the answer joins the map. */
  private CompletableFuture<?> learn() {
    if (configured.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<?> asking = StaleReader.over(leader::dialFollower, reader.options()).discoverAsync(configured)
        .handle((map, error) -> {
          if (error != null) {
            log.debug("no follower of --followers answered: {}", error.toString());
          } else {
            learned = map;
            combine();
          }
          return null;
        });
    learning.set(asking);
    return asking;
  }

  /** The map in use: the leader's last status and what the --followers said, together when they agree. */
  private void combine() {
    FollowerMap status = fromLeader;
    FollowerMap followers = learned;
    if (status != null && followers != null && status.shardCount() == followers.shardCount()) {
      reader.use(status.with(followers));
    } else if (status != null) {
      reader.use(status);
    } else if (followers != null) {
      reader.use(followers);
    }
  }

  /** The leader answered with {@code status}: its followers and shards are the map from now on. */
  public void noteStatus(StatusResponse status) {
    leaderDown.set(false);
    if (status.getShards() > 0) {
      fromLeader = FollowerMap.fromStatus(status);
      combine();
    }
  }

  /**
   * Whether a read that failed with {@code leaderError} is served from followers instead: the
   * leader is unreachable, and the gateway knows followers (a map, or {@code --followers}).
   */
  public boolean serves(Throwable leaderError) {
    if (!HttpErrors.leaderUnreachable(leaderError)) {
      return false;
    }
    if (leaderDown.compareAndSet(false, true)) {
      learn(); // the followers may have changed since they were last asked
    }
    return available();
  }

  /** Whether any follower is known to read from (from a status, or --followers). */
  public boolean available() {
    return reader.followers().isPresent() || !configured.isEmpty();
  }

  /** Whether reads are being served stale now: the last call found the leader unreachable. */
  public boolean servingStale() {
    return leaderDown.get() && available();
  }

  /** The follower addresses stale reads use (those of the map, else --followers). */
  public List<String> followers() {
    return reader.followers().map(FollowerMap::addresses).orElse(configured);
  }

  /**
   * The reader for the caller of {@code ctx} (its bearer token on every call), once a map is in
   * use: learned from {@code --followers} first when the gateway has none yet.
   */
  public CompletableFuture<StaleReader> forCaller(ServiceRequestContext ctx) {
    StaleReader caller = leader.forCaller(ctx).options().token().map(reader::withToken).orElse(reader);
    CompletableFuture<?> asking = learning.get();
    if (asking == null && reader.followers().isEmpty()) {
      asking = learn();
    }
    if (asking == null || asking.isDone()) {
      return CompletableFuture.completedFuture(caller);
    }
    return asking.thenApply(unused -> caller);
  }

  @Override
  public void close() {
    refresh.cancel(false);
    reader.close();
  }
}
