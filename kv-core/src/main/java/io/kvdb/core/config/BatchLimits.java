package io.kvdb.core.config;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Limits on one atomic batch (KV.Batch), over those of its keys and values ({@link Limits}).
 *
 * @param maxOps most operations in one batch (--max-batch-ops)
 * @param maxBytes largest batch request, in bytes of its encoded message (--max-batch-bytes)
 */
public record BatchLimits(int maxOps, int maxBytes) {
  public static final BatchLimits DEFAULT = new BatchLimits(128, 1 << 20);

  public BatchLimits {
    checkArgument(maxOps > 0, "max batch ops must be > 0: %s", maxOps);
    checkArgument(maxBytes > 0, "max batch bytes must be > 0: %s", maxBytes);
  }
}
