package io.kvdb.client;

import io.grpc.Channel;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A client of one follower's own gRPC API (the {@code Follower} service): its status and the
 * digests of the shards it holds, to compare with the leader's ({@link KvClient#shardDigests}).
 * Calls follow the same {@link KvOptions} (deadline, token, retries of reads: every call here is a
 * read) and fail with the same {@link KvException} as {@link KvClient}'s.
 */
public interface FollowerClient extends AutoCloseable {
  /**
   * A client of the follower at {@code address} (HOST:PORT, as the leader lists it), over a
   * channel of its own secured as {@code options.tls()} says; {@link #close} closes it.
   *
   * @throws IllegalArgumentException when the address is not HOST:PORT
   */
  static FollowerClient connect(String address, KvOptions options) {
    return FollowerClientImpl.owning(Channels.open(address, options.tls()), options);
  }

  /** A client over {@code channel}, which stays yours to close. */
  static FollowerClient over(Channel channel, KvOptions options) {
    return FollowerClientImpl.borrowing(channel, options);
  }

  /** The follower's id, its leader, its state (connecting, syncing, live, refused) and its shards. */
  FollowerStatusResponse status();

  /** {@link #status}, without blocking. */
  CompletableFuture<FollowerStatusResponse> statusAsync();

  /**
   * The applied seq, key count and digest of each shard asked for that this follower holds (none
   * asked: all it holds), in shard order.
   */
  List<ShardDigest> shardDigests(int... shards);

  /** {@link #shardDigests}, without blocking. */
  CompletableFuture<List<ShardDigest>> shardDigestsAsync(int... shards);

  /**
   * A copy of the shards asked for (none: every complete copy the follower holds), as a shard dump
   * (dump.proto) read from one snapshot of its replica, fetched as the stream is consumed. No
   * deadline; close the stream to cancel. What a leader rebuilt from its followers is made of.
   *
   * @throws KvException from the stream: FAILED_PRECONDITION for a shard that is no complete copy there
   */
  Stream<DumpMessage> snapshot(List<Integer> shards, int chunkBytes);

  /** Closes the channel that {@link #connect} built; a client over your own channel closes nothing. */
  @Override
  void close();
}
