package io.kvdb.cli.bench;

import io.kvdb.common.config.Flags;
import io.kvdb.common.net.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one {@code kv bench} runs, from the command's own flags ({@link #flags()}).
 *
 * @param workload the mix of gets and puts
 * @param zipfian whether keys are drawn Zipfian (rank 0 hottest) rather than uniform
 * @param keys how many keys the read workloads store first and draw from
 * @param valueBytes the size of each value written
 * @param clients concurrent callers, each a thread with one call in flight
 * @param duration how long the measured run lasts, unless {@code ops} is given
 * @param ops how many measured operations, instead of a duration
 * @param warmup how long the load runs, unmeasured, before the measured run
 * @param rate calls per second over all clients, paced per client (warm-up included); empty: as fast as
 *     they go
 * @param protocol gRPC to the leader or HTTP to the gateway
 * @param target HOST:PORT of the leader (gRPC) or the gateway (HTTP)
 * @param seed the seed of every random choice (keys, mix, values), for runs that repeat
 * @param session over gRPC, whether gets and puts travel on kv-client's Session stream (as the HTTP
 *     gateway sends them) rather than as unary calls
 * @param firstKey the number of the load workload's first key (YCSB's insertstart): 0 writes keys 0,
 *     1, ..., and the number of keys already stored adds new ones after them
 */
public record BenchConfig(Workload workload, boolean zipfian, int keys, int valueBytes, int clients,
    Duration duration, OptionalLong ops, Duration warmup, OptionalDouble rate, Protocol protocol, HostPort target,
    long seed, boolean session, long firstKey) {
  /** How {@code kv bench} reaches the servers. */
  public enum Protocol {
    GRPC,
    HTTP
  }

  static final String DEFAULT_HTTP_TARGET = "127.0.0.1:3000";

  public BenchConfig {
    check(keys >= 1, "--keys must be >= 1, got " + keys);
    check(valueBytes >= 0, "--value-bytes must be >= 0, got " + valueBytes);
    check(clients >= 1, "--clients must be >= 1, got " + clients);
    check(!duration.isNegative() && !duration.isZero(), "--duration must be > 0");
    check(ops.isEmpty() || ops.getAsLong() >= 1, "--ops must be >= 1");
    check(!warmup.isNegative(), "--warmup must be >= 0");
    check(rate.isEmpty() || rate.getAsDouble() > 0, "--rate must be > 0");
    check(!session || protocol == Protocol.GRPC, "--session is for --protocol grpc only");
    check(firstKey >= 0, "--first-key must be >= 0, got " + firstKey);
  }

  /** As the canonical constructor, with unary gRPC calls (no Session stream) and the load from key 0. */
  public BenchConfig(Workload workload, boolean zipfian, int keys, int valueBytes, int clients, Duration duration,
      OptionalLong ops, Duration warmup, OptionalDouble rate, Protocol protocol, HostPort target, long seed) {
    this(workload, zipfian, keys, valueBytes, clients, duration, ops, warmup, rate, protocol, target, seed, false, 0);
  }

  /** This run with the load workload's keys counted from {@code first}. */
  public BenchConfig withFirstKey(long first) {
    return new BenchConfig(workload, zipfian, keys, valueBytes, clients, duration, ops, warmup, rate, protocol,
        target, seed, session, first);
  }

  /** The flags of {@code kv bench}, with their defaults and help. */
  static Flags flags() {
    return new Flags("kv bench")
        .declare("workload", "update", "load, read, update (50% puts) or read-mostly (5% puts)")
        .declare("dist", "uniform", "uniform or zipfian (theta 0.99, key 0 hottest)")
        .declare("keys", "10000", "keys the read workloads store first and draw from")
        .declare("value-bytes", "100", "value size: random bytes (base64 text over http)")
        .declare("clients", "32", "concurrent callers, one call in flight each")
        .declare("duration", "10", "seconds measured (or --ops)")
        .declare("ops", "", "calls measured, instead of --duration")
        .declare("warmup", "0", "seconds of unmeasured load first")
        .declare("rate", "", "calls per second over all clients, paced per client (default: unlimited)")
        .declare("protocol", "grpc", "grpc (the leader) or http (the gateway's /set, /get)")
        .declare("target", "", "HOST:PORT (default: --leader for grpc, " + DEFAULT_HTTP_TARGET + " for http)")
        .declare("seed", "1", "seed of the keys, the mix and the values")
        .declare("first-key", "0", "load: the number of its first key (N after a store of N keys adds new ones)")
        .declareBoolean("session", "grpc: gets and puts on one Session stream (as the gateway sends them), not unary calls");
  }

  /**
   * Reads the command's flags.
   *
   * @param leader the client's --leader, the default target over gRPC
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  static BenchConfig parse(List<String> operands, String leader) {
    Flags flags = flags();
    if (!flags.parse(operands.toArray(String[]::new))) {
      throw new IllegalArgumentException("usage: " + flags.usage());
    }
    check(!(flags.isGiven("duration") && flags.isGiven("ops")), "give --duration or --ops, not both");
    Protocol protocol = switch (flags.string("protocol")) {
      case "grpc" -> Protocol.GRPC;
      case "http" -> Protocol.HTTP;
      default -> throw new IllegalArgumentException("--protocol must be grpc or http, got '"
          + flags.string("protocol") + "'");
    };
    boolean zipfian = switch (flags.string("dist")) {
      case "uniform" -> false;
      case "zipfian" -> true;
      default -> throw new IllegalArgumentException("--dist must be uniform or zipfian, got '"
          + flags.string("dist") + "'");
    };
    String target = flags.string("target");
    if (target.isEmpty()) {
      target = protocol == Protocol.GRPC ? leader : DEFAULT_HTTP_TARGET;
    }
    OptionalLong ops = flags.isGiven("ops") ? OptionalLong.of(flags.longValue("ops")) : OptionalLong.empty();
    return new BenchConfig(Workload.of(flags.string("workload")), zipfian, flags.integer("keys"),
        flags.integer("value-bytes"), flags.integer("clients"), flags.seconds("duration"), ops,
        flags.seconds("warmup"), rate(flags), protocol, HostPort.parse("--target", target), flags.longValue("seed"),
        flags.bool("session"), flags.longValue("first-key"));
  }

  private static OptionalDouble rate(Flags flags) {
    String text = flags.string("rate");
    if (text.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--rate needs calls per second, got '" + text + "'");
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
