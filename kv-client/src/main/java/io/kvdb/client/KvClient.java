package io.kvdb.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The Java client of a kvdb leader: its KV API (put, get, delete, list) and its Cluster API
 * (status, shard digests), each in a blocking form and an async one that returns a
 * {@link CompletableFuture}. It works over any {@link Channel}: one that {@link #connect} builds,
 * or one of your own (in-process, Armeria, a channel with interceptors).
 *
 * <p><b>Views.</b> {@link #withToken}, {@link #withAcks} and {@link #withOptions} return a client
 * that shares this one's channel and differs only in its {@link KvOptions}; making one costs an
 * object or two, so a server that forwards each of its callers' own token (the HTTP gateway) keeps
 * one client and calls {@code client.withToken(callersToken).getAsync(key)} per request.
 *
 * <p><b>Errors.</b> Every failure is a {@link KvException} (thrown, or completing the future)
 * with the status code, the server's description and its kvdb reason ({@code DISK_FULL}). A key
 * that does not exist is not an error: {@link #get} and {@link #delete} return empty.
 *
 * <p><b>Retries.</b> A read (get, a list page, status, digests) that meets UNAVAILABLE is sent
 * again, at most {@link KvOptions#readAttempts()} times in all, within its deadline, after a pause
 * that doubles from {@link KvOptions#retryBackoff()}. A write (put, delete) is never sent again by
 * the client: one that failed may still have been committed (see {@link KvException}).
 *
 * <p>Thread-safe; every method may be called from any thread.
 */
public interface KvClient extends AutoCloseable {
  /**
   * A client of the leader at {@code address} ({@code HOST:PORT}, IPv6 hosts in brackets), over a
   * channel of its own secured as {@code options.tls()} says; it connects on the first call, and
   * {@link #close} closes it.
   *
   * @throws IllegalArgumentException when the address is not HOST:PORT
   */
  static KvClient connect(String address, KvOptions options) {
    return KvClientImpl.owning(Channels.open(address, options.tls()), options);
  }

  /** A client over {@code channel}, which stays yours to close ({@link #close} leaves it open). */
  static KvClient over(Channel channel, KvOptions options) {
    return KvClientImpl.borrowing(channel, options);
  }

  /** {@link #over(Channel, KvOptions)} with {@link KvOptions#DEFAULT}. */
  static KvClient over(Channel channel) {
    return over(channel, KvOptions.DEFAULT);
  }

  /** The options of this client. */
  KvOptions options();

  /** A view of this client (same channel) that calls with {@code options}; their {@code tls} is not used. */
  KvClient withOptions(KvOptions options);

  /**
   * A view of this client (same channel) that sends {@code token} as bearer token.
   *
   * @throws IllegalArgumentException when the token is empty or not visible ASCII
   */
  default KvClient withToken(String token) {
    return withOptions(options().withToken(token));
  }

  /** A view of this client whose writes wait for {@code minAcks} followers, at most {@code timeout}. */
  default KvClient withAcks(int minAcks, Duration timeout) {
    return withOptions(options().withAcks(minAcks, timeout));
  }

  /**
   * Stores {@code value} under {@code key}, replacing any previous value. Once it returns, the write
   * is committed on the leader (and synced to its disk in the default durable mode); with
   * {@link KvOptions#minAcks()}, the reply's {@code acks} says how many followers had applied it.
   *
   * @return where the write went: shard, seq, epoch, the followers holding the shard, the acks
   * @throws KvException e.g. INVALID_ARGUMENT (empty key), RESOURCE_EXHAUSTED (over a limit, or
   *     {@link KvException#isDiskFull() disk full}), UNAUTHENTICATED or PERMISSION_DENIED (token)
   */
  WriteResponse put(String key, ByteString value);

  /**
   * Compare-and-set: {@link #put} only if the key's version is {@code expectedVersion} now (0: only
   * if the key does not exist). The reply's {@code version} is the key's new version.
   *
   * @throws VersionConflictException when the key's version differs (nothing was written)
   */
  WriteResponse put(String key, ByteString value, long expectedVersion);

  /** {@link #put(String, ByteString, long)}, without blocking. */
  CompletableFuture<WriteResponse> putAsync(String key, ByteString value, long expectedVersion);

  /** {@link #put}, without blocking. */
  CompletableFuture<WriteResponse> putAsync(String key, ByteString value);

  /**
   * {@link #put}, expiring: the key expires {@code ttlSeconds} (1 to ten years) after the leader
   * commits it, and reads stop returning it then; the leader deletes it at most 1 s later. With
   * {@code expectedVersion} present, a compare-and-set as {@link #put(String, ByteString, long)}.
   * A put without a TTL clears any earlier one.
   *
   * @throws KvException INVALID_ARGUMENT for a TTL out of bounds, and as {@link #put}
   */
  WriteResponse put(String key, ByteString value, OptionalLong expectedVersion, long ttlSeconds);

  /** {@link #put(String, ByteString, OptionalLong, long)}, without blocking. */
  CompletableFuture<WriteResponse> putAsync(String key, ByteString value, OptionalLong expectedVersion,
      long ttlSeconds);

  /**
   * Applies {@code batch} (see {@link KvBatch}) atomically: all its puts and deletes in one commit,
   * or none. Never sent twice by the client, as a write.
   *
   * @return the batch's revision and, per op, its shard, seq and version
   * @throws VersionConflictException when a condition failed ({@link VersionConflictException#failedIndex()}
   *     names the op); nothing was written
   * @throws KvException e.g. INVALID_ARGUMENT (a key twice), RESOURCE_EXHAUSTED (over --max-batch-ops or
   *     --max-batch-bytes)
   */
  BatchResponse batch(BatchRequest batch);

  /** {@link #batch}, without blocking. */
  CompletableFuture<BatchResponse> batchAsync(BatchRequest batch);

  /**
   * The value stored under {@code key}; empty when the key does not exist.
   *
   * @throws KvException for a bad key, a refused token or an unreachable leader (after retries)
   */
  Optional<ByteString> get(String key);

  /**
   * The value stored under {@code key} with its version (and shard); empty when the key does not
   * exist. Pass the version to {@link #put(String, ByteString, long)} to change the key only if
   * nobody wrote it since.
   */
  Optional<GetResponse> getEntry(String key);

  /** {@link #getEntry}, without blocking. */
  CompletableFuture<Optional<GetResponse>> getEntryAsync(String key);

  /** {@link #get}, without blocking. */
  CompletableFuture<Optional<ByteString>> getAsync(String key);

  /**
   * Deletes {@code key}.
   *
   * @return where the delete went; empty when the key did not exist (nothing was written then)
   * @throws KvException as {@link #put}
   */
  Optional<WriteResponse> delete(String key);

  /**
   * Compare-and-set: {@link #delete} only if the key's version is {@code expectedVersion} now.
   *
   * @return as {@link #delete}: empty when the key did not exist and {@code expectedVersion} is 0
   * @throws VersionConflictException when the key's version differs (nothing was deleted)
   */
  Optional<WriteResponse> delete(String key, long expectedVersion);

  /** {@link #delete(String, long)}, without blocking. */
  CompletableFuture<Optional<WriteResponse>> deleteAsync(String key, long expectedVersion);

  /** {@link #delete}, without blocking. */
  CompletableFuture<Optional<WriteResponse>> deleteAsync(String key);

  /**
   * Watches a key or a prefix (KV.Watch), blocking: {@code listener} gets each change in revision
   * order and the progress notifications, until it returns false; returns the last revision seen.
   * When the leader goes away or the stream breaks, it watches again from that revision for up to
   * {@code reconnectFor}, so no change is lost or seen twice. Throws {@link KvException}: reason
   * WATCH_COMPACTED (OUT_OF_RANGE: list again, then watch from the revision read), WATCH_TOO_SLOW.
   */
  long watch(io.kvdb.api.v1.WatchRequest request, Duration reconnectFor,
      java.util.function.Predicate<io.kvdb.api.v1.WatchResponse> listener);

  /**
   * Watches without blocking: one stream (no resume, no deadline), with gRPC's flow control in
   * {@code observer}'s hands: in its {@code beforeStart} it may call
   * {@code disableAutoRequestWithInitial(1)} on the stream, then {@code request(1)} whenever it is
   * ready for the next message, so that a slow consumer backs up into the leader (which cancels it
   * WATCH_TOO_SLOW) instead of into memory. A failure reaches {@code onError} as a
   * {@link KvException}; {@code cancel} on the stream ends the watch.
   */
  void watchAsync(io.kvdb.api.v1.WatchRequest request,
      io.grpc.stub.ClientResponseObserver<io.kvdb.api.v1.WatchRequest, io.kvdb.api.v1.WatchResponse> observer);

  /**
   * One page of keys in key order, as the request says (prefix, start_after, limit, keys_only);
   * pass its {@code next_start_after} as the next request's {@code start_after} while
   * {@code has_more}. For every page in turn, use {@link #list(ListRequest)}.
   */
  ListResponse listPage(ListRequest request);

  /** {@link #listPage}, without blocking. */
  CompletableFuture<ListResponse> listPageAsync(ListRequest request);

  /**
   * Every pair that {@code request} selects, from its {@code start_after} on, in key order: pages
   * of {@code request.limit} pairs (0: the server's default) are fetched one at a time as the
   * stream is consumed, each a read of its own (deadline, retries). Not a snapshot: keys written
   * meanwhile may or may not appear. A failed page throws {@link KvException} from the stream.
   */
  Stream<KeyValue> list(ListRequest request);

  /** Every pair whose key starts with {@code prefix} (empty: all keys), in key order; see {@link #list(ListRequest)}. */
  default Stream<KeyValue> list(String prefix) {
    return list(ListRequest.newBuilder().setPrefix(prefix).build());
  }

  /** The leader's identity, its shards, and every follower it knows with its progress. */
  StatusResponse status();

  /** {@link #status}, without blocking. */
  CompletableFuture<StatusResponse> statusAsync();

  /**
   * The leader's head seq, key count and digest of each shard asked for (none: all), in shard
   * order, to compare with a follower's ({@link FollowerClient#shardDigests}).
   *
   * @throws KvException INVALID_ARGUMENT for a shard that does not exist
   */
  List<ShardDigest> shardDigests(int... shards);

  /** {@link #shardDigests}, without blocking. */
  CompletableFuture<List<ShardDigest>> shardDigestsAsync(int... shards);

  /**
   * A consistent copy of every shard of the leader (one LevelDB snapshot), as a shard dump
   * (dump.proto): the header, then each shard's checksummed chunks, fetched as the stream is
   * consumed. No deadline; close the stream to cancel. What {@code kv backup} writes to a file.
   *
   * @param chunkBytes upper bound of a chunk's keys and values (0: the leader's default, 256 KiB)
   */
  Stream<DumpMessage> backup(int chunkBytes);

  /**
   * Drains follower {@code followerId} (Cluster.Drain): its shards move to the other live followers,
   * make-before-break, and it ends holding nothing; kept out of placement until {@link #undrain}.
   * Returns once it holds nothing, which takes as long as the new holders need to catch up: give
   * this client a deadline to match ({@link KvOptions#withDeadline}). A call cut short leaves the
   * drain going on the leader; calling again waits for it. Never sent twice by the client.
   *
   * @return the shards it held, and the assignment version at which it holds none
   * @throws KvException FAILED_PRECONDITION (fewer than R other live followers: nothing moved),
   *     NOT_FOUND (no such follower), PERMISSION_DENIED (a read token)
   */
  DrainResponse drain(String followerId);

  /**
   * Lets a drained follower take shards again (Cluster.Undrain).
   *
   * @return whether it was drained
   * @throws KvException NOT_FOUND (no such follower), PERMISSION_DENIED (a read token)
   */
  boolean undrain(String followerId);

  /**
   * Closes the channel that {@link #connect} built, at once (calls still running fail with
   * CANCELLED). A client over your own channel, and any view, owns no channel: closing it does
   * nothing.
   */
  @Override
  void close();
}
