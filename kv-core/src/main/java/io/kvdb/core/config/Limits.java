package io.kvdb.core.config;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Named limits on what a request may carry. Checked at every boundary, before anything is written.
 *
 * @param maxKeyBytes largest key, in UTF-8 bytes
 * @param maxValueBytes largest value, in bytes
 * @param maxMessageBytes largest gRPC request message; larger ones are refused unread
 * @param defaultPageSize List page size when the request names none
 * @param maxPageSize largest List page size a request may ask for
 */
public record Limits(int maxKeyBytes, int maxValueBytes, int maxMessageBytes, int defaultPageSize, int maxPageSize) {
  public static final Limits DEFAULT = new Limits(1024, 1 << 20, (1 << 20) + (64 << 10), 100, 1000);

  public Limits {
    checkArgument(maxKeyBytes > 0, "max key bytes must be > 0: %s", maxKeyBytes);
    checkArgument(maxValueBytes >= 0, "max value bytes must be >= 0: %s", maxValueBytes);
    checkArgument(maxMessageBytes > maxKeyBytes, "max message bytes must exceed the max key bytes: %s", maxMessageBytes);
    checkArgument(defaultPageSize > 0 && defaultPageSize <= maxPageSize,
        "default page size must be in 1..max page size (%s): %s", maxPageSize, defaultPageSize);
  }
}
