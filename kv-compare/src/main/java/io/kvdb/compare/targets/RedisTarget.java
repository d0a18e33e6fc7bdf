package io.kvdb.compare.targets;

import io.kvdb.cli.bench.Target;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis SET and GET through Jedis, one connection per client thread (as redis-benchmark's
 * clients are), opened on the thread's first call.
 */
public final class RedisTarget implements Target {
  private final int port;
  private final List<Jedis> opened = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Jedis> connection;

  /** A client of Redis at 127.0.0.1:{@code port}. */
  public RedisTarget(int port) {
    this.port = port;
    this.connection = ThreadLocal.withInitial(() -> {
      Jedis jedis = new Jedis("127.0.0.1", port, 30_000);
      opened.add(jedis);
      return jedis;
    });
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    try {
      connection.get().set(key.getBytes(StandardCharsets.UTF_8), value);
    } catch (JedisException e) {
      throw new CallFailed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    }
  }

  @Override
  public void get(String key) throws CallFailed {
    byte[] value;
    try {
      value = connection.get().get(key.getBytes(StandardCharsets.UTF_8));
    } catch (JedisException e) {
      throw new CallFailed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    }
    if (value == null) {
      throw new CallFailed("NOT_FOUND", "no key " + key);
    }
  }

  @Override
  public OptionalLong replicationLagMs() {
    return OptionalLong.empty();
  }

  @Override
  public String describe() {
    return "redis 127.0.0.1:" + port;
  }

  @Override
  public void close() {
    opened.forEach(Jedis::close);
    opened.clear();
  }
}
