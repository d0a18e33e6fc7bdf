package io.kvdb.common.dump;

/** A dump that cannot be used: corrupted, truncated, or not of this cluster. The message says where. */
public final class DumpException extends RuntimeException {
  public DumpException(String message) {
    super(message);
  }

  public DumpException(String message, Throwable cause) {
    super(message, cause);
  }
}
