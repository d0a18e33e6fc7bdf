package io.kvdb.system.bench;

/** One store under benchmark: a put and a get of a key, from any thread. */
interface KvTarget extends AutoCloseable {
  void put(String key, byte[] value) throws Exception;

  void get(String key) throws Exception;

  /** A client of this store for one benchmark thread (shared when the client is thread-safe). */
  default KvTarget forThread() throws Exception {
    return this;
  }

  @Override
  default void close() throws Exception {}
}
