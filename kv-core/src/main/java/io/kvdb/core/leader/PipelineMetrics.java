package io.kvdb.core.leader;

/**
 * What the write pipeline reports of each batch it commits, for metrics. Called on the reply
 * thread ("kv-reply"), once per committed batch and before the batch's replies, not on the writer:
 * a histogram's record may wait for its lock while a scrape rotates it. It must still be quick,
 * since every reply of the batch waits for it.
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
