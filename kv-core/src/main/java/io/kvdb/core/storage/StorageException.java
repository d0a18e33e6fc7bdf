package io.kvdb.core.storage;

/** A data dir that cannot be used, with a message that tells the operator what to do. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
