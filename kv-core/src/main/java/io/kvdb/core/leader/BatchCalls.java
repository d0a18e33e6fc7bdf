package io.kvdb.core.leader;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.BatchResult;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.config.BatchLimits;
import io.kvdb.core.request.Reads;
import io.kvdb.core.request.RequestValidator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * KV.Batch on the leader: checks a batch (its limits, each key and value, each key once), then
 * hands it to the {@link WritePipeline} as one atomic group and turns the outcome into the reply,
 * or into FAILED_PRECONDITION naming the op whose condition failed.
 */
final class BatchCalls {
  private final WritePipeline pipeline;
  private final RequestValidator validator;
  private final BatchLimits limits;

  BatchCalls(WritePipeline pipeline, RequestValidator validator, BatchLimits limits) {
    this.pipeline = pipeline;
    this.validator = validator;
    this.limits = limits;
  }

  /** Runs {@code request}; a batch that fails validation or a condition fails the future. */
  CompletableFuture<BatchResponse> batch(BatchRequest request) {
    List<BatchWrite> writes;
    try {
      writes = writes(request);
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline.batch(writes).thenApply(outcome -> {
      if (outcome.conflict()) {
        throw mismatch(writes.get(outcome.failedIndex()), outcome.failedIndex(), outcome.currentVersion());
      }
      BatchResponse.Builder reply = BatchResponse.newBuilder().setRevision(outcome.revision())
          .setEpoch(pipeline.epoch());
      for (Committed result : outcome.results()) {
        reply.addResults(BatchResult.newBuilder().setShard(result.shard()).setSeq(result.seq())
            .setVersion(result.version()).setFound(result.found()));
      }
      return reply.build();
    });
  }

  private List<BatchWrite> writes(BatchRequest request) {
    if (request.getOpsCount() == 0) {
      throw Status.INVALID_ARGUMENT.withDescription("a batch needs at least one op").asRuntimeException();
    }
    if (request.getOpsCount() > limits.maxOps()) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("the batch has " + request.getOpsCount()
          + " ops; the limit is " + limits.maxOps() + " (--max-batch-ops)").asRuntimeException();
    }
    int size = request.getSerializedSize();
    if (size > limits.maxBytes()) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("the batch is " + size + " bytes; the limit is "
          + limits.maxBytes() + " (--max-batch-bytes)").asRuntimeException();
    }
    long now = pipeline.wallClockMs(); // the clock of TTL deadlines, as for a Put
    List<BatchWrite> writes = new ArrayList<>(request.getOpsCount());
    Set<ByteBuffer> keys = new HashSet<>();
    for (int i = 0; i < request.getOpsCount(); i++) {
      BatchWrite write = write(request.getOps(i), i, now);
      if (!keys.add(ByteBuffer.wrap(write.keyBytes()))) {
        throw Status.INVALID_ARGUMENT.withDescription("op " + i + ": key " + Reads.abbreviate(write.key())
            + " appears twice in the batch; each key may appear once").asRuntimeException();
      }
      writes.add(write);
    }
    return writes;
  }

  private BatchWrite write(BatchOp op, int index, long nowMs) {
    try {
      switch (op.getOpCase()) {
        case PUT -> {
          var put = op.getPut();
          validator.key(put.getKey());
          validator.value(put.getValue().size());
          long expiresAtMs = Ttl.expiresAtMs(put.hasTtlSeconds(), put.getTtlSeconds(), nowMs);
          return BatchWrite.put(put.getKey(), put.getValue().toByteArray(),
              put.hasExpectedVersion() ? put.getExpectedVersion() : null, expiresAtMs);
        }
        case DELETE -> {
          var delete = op.getDelete();
          validator.key(delete.getKey());
          return BatchWrite.delete(delete.getKey(), delete.hasExpectedVersion() ? delete.getExpectedVersion() : null);
        }
        default -> throw Status.INVALID_ARGUMENT.withDescription("is neither a put nor a delete").asRuntimeException();
      }
    } catch (StatusRuntimeException e) {
      // Says which op: the status of one op's key or value, prefixed with its index.
      Status status = e.getStatus();
      throw status.withDescription("op " + index + ": " + status.getDescription()).asRuntimeException();
    }
  }

  private static StatusRuntimeException mismatch(BatchWrite write, int index, long current) {
    return ErrorReasons.batchVersionMismatch("version mismatch in op " + index + " on " + Reads.abbreviate(write.key())
        + ": expected version " + Long.toUnsignedString(write.expectedVersion()) + ", current version " + current
        + (current == 0 ? " (no such key)" : "") + "; nothing of the batch was written", index, current);
  }
}
