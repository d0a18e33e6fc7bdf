package io.kvdb.core.leader;

/**
 * What the write pipeline reports of each batch it commits, for metrics. Called on the writer
 * thread, once per committed batch: an implementation must be quick and must not block.
 */
@FunctionalInterface
public interface PipelineMetrics {
  /** Reports nothing. */
  PipelineMetrics NONE = (writes, syncNanos) -> {};

  /**
   * A batch was committed.
   *
   * @param writes the requests it answers (group commit: every write queued when the batch began)
   * @param syncNanos how long its commit took: the LevelDB write, and the fsync in durable mode
   */
  void batchCommitted(int writes, long syncNanos);
}
