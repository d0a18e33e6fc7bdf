package io.kvdb.cli.bench;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.LagSummary;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The leader's KV API through kv-client: one client (one HTTP/2 channel) shared by every caller,
 * with unary calls or, when the client was made with {@code KvOptions.withSession(true)}, on its
 * Session stream.
 */
public final class GrpcTarget implements Target {
  private final KvClient client;
  private final String address;
  private final boolean session;

  /** {@code client} (unary calls) stays the caller's to close. */
  public GrpcTarget(KvClient client, String address) {
    this(client, address, false);
  }

  /** As above; {@code session} says that {@code client} sends gets and puts on its Session stream. */
  public GrpcTarget(KvClient client, String address, boolean session) {
    this.client = client;
    this.address = address;
    this.session = session;
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    try {
      client.put(key, ByteString.copyFrom(value));
    } catch (KvException e) {
      throw new CallFailed(e.code().name(), e.description());
    }
  }

  @Override
  public void get(String key) throws CallFailed {
    try {
      if (client.get(key).isEmpty()) {
        throw new CallFailed("NOT_FOUND", "no key " + key);
      }
    } catch (KvException e) {
      throw new CallFailed(e.code().name(), e.description());
    }
  }

  @Override
  public OptionalLong replicationLagMs() {
    try {
      return client.status().getFollowersList().stream().filter(FollowerInfo::getAlive)
          .mapToLong(FollowerInfo::getLagMs).max();
    } catch (KvException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public Optional<LagSummary> replicationLagSummary() {
    try {
      return Optional.of(client.status().getReplicationLag());
    } catch (KvException e) {
      return Optional.empty();
    }
  }

  @Override
  public String describe() {
    return "grpc " + address + (session ? " (Session stream)" : "");
  }

  @Override
  public void close() {}
}
