package io.kvdb.cli.bench;

import io.kvdb.api.v1.LagSummary;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The server under load, as {@code kv bench} calls it: blocking calls, each from the client thread
 * that times it. Implementations are thread-safe.
 */
public interface Target extends AutoCloseable {
  /**
   * Stores {@code value} under {@code key}.
   *
   * @throws CallFailed with the code that says why (a gRPC code, an HTTP status)
   */
  void put(String key, byte[] value) throws CallFailed;

  /**
   * Reads {@code key}; a key that is not there is a failure ({@code NOT_FOUND}, {@code HTTP 404}):
   * every key a workload reads was stored first.
   *
   * @throws CallFailed with the code that says why
   */
  void get(String key) throws CallFailed;

  /**
   * The largest replication lag, in ms on the leader's clock, among the live followers the leader
   * lists now ({@code lag_ms} of Cluster.Status); empty when there is none or the call failed.
   */
  OptionalLong replicationLagMs();

  /**
   * The leader's replication lag histogram over its last minute ({@code replication_lag} of
   * Cluster.Status); empty when the call failed or the server does not report it.
   */
  default Optional<LagSummary> replicationLagSummary() {
    return Optional.empty();
  }

  /** Where the load goes, for the report: {@code grpc 127.0.0.1:50051}. */
  String describe();

  @Override
  void close();

  /**
   * A call that did not succeed. Counted by {@link #code()}; thrown often when a server refuses
   * every call, so it takes no stack trace.
   */
  final class CallFailed extends Exception {
    private final String code;

    /**
     * @param code what counts the failure: a status code's name, {@code HTTP 503}, an exception's kind
     * @param description what the server or the client said, "" for nothing
     */
    public CallFailed(String code, String description) {
      super(description.isEmpty() ? code : code + ": " + description, null, false, false);
      this.code = code;
    }

    /** The gRPC status code's name ({@code UNAUTHENTICATED}), or {@code HTTP 401}, or the local failure. */
    public String code() {
      return code;
    }
  }
}
