package io.kvdb.client;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.BatchDelete;
import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchPut;
import io.kvdb.api.v1.BatchRequest;
import java.util.OptionalLong;

/**
 * Builds the request of an atomic batch for {@link KvClient#batch}: puts and deletes, each
 * optionally conditional on the key's version, applied all together or not at all.
 *
 * <pre>{@code
 * BatchResponse done = client.batch(KvBatch.builder()
 *     .put("account/a", ByteString.copyFromUtf8("90"), versionOfA)
 *     .put("account/b", ByteString.copyFromUtf8("110"), versionOfB)
 *     .delete("pending/t1")
 *     .build());
 * }</pre>
 *
 * Not thread-safe; each {@link #build} returns an immutable request.
 */
public final class KvBatch {
  private final BatchRequest.Builder request = BatchRequest.newBuilder();

  private KvBatch() {}

  /** An empty batch. */
  public static KvBatch builder() {
    return new KvBatch();
  }

  /** Adds a put of {@code value} under {@code key}, with no condition. */
  public KvBatch put(String key, ByteString value) {
    request.addOps(BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(value)));
    return this;
  }

  /** Adds a put only if the key's version is {@code expectedVersion} (0: only if it does not exist). */
  public KvBatch put(String key, ByteString value, long expectedVersion) {
    request.addOps(BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(value)
        .setExpectedVersion(expectedVersion)));
    return this;
  }

  /**
   * Adds a put whose key expires {@code ttlSeconds} (1 to ten years, as for {@link KvClient#put(String,
   * ByteString, OptionalLong, long)}) after the batch is committed. A put without a TTL clears the key's.
   */
  public KvBatch putWithTtl(String key, ByteString value, long ttlSeconds) {
    request.addOps(BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(value)
        .setTtlSeconds(ttlSeconds)));
    return this;
  }

  /**
   * Adds a put, only if the key's version is {@code expectedVersion} when one is given, expiring
   * {@code ttlSeconds} after the commit when one is given (else never).
   */
  public KvBatch put(String key, ByteString value, OptionalLong expectedVersion, OptionalLong ttlSeconds) {
    BatchPut.Builder put = BatchPut.newBuilder().setKey(key).setValue(value);
    expectedVersion.ifPresent(put::setExpectedVersion);
    ttlSeconds.ifPresent(put::setTtlSeconds);
    request.addOps(BatchOp.newBuilder().setPut(put));
    return this;
  }

  /** Adds a delete of {@code key}, with no condition; a missing key is a no-op. */
  public KvBatch delete(String key) {
    request.addOps(BatchOp.newBuilder().setDelete(BatchDelete.newBuilder().setKey(key)));
    return this;
  }

  /** Adds a delete only if the key's version is {@code expectedVersion} (0: only if it is missing). */
  public KvBatch delete(String key, long expectedVersion) {
    request.addOps(BatchOp.newBuilder().setDelete(BatchDelete.newBuilder().setKey(key)
        .setExpectedVersion(expectedVersion)));
    return this;
  }

  /** How many ops were added. */
  public int size() {
    return request.getOpsCount();
  }

  /** The request, as {@link KvClient#batch} takes it. */
  public BatchRequest build() {
    return request.build();
  }
}
