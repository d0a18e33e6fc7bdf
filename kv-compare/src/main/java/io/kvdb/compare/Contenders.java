package io.kvdb.compare;

import io.kvdb.cli.bench.GrpcTarget;
import io.kvdb.cli.bench.HttpAccess;
import io.kvdb.cli.bench.HttpTarget;
import io.kvdb.cli.bench.Target;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.common.net.HostPort;
import io.kvdb.compare.report.Column;
import io.kvdb.compare.report.Results;
import io.kvdb.compare.report.Row;
import io.kvdb.compare.systems.ExternalStores;
import io.kvdb.compare.systems.KvdbCluster;
import io.kvdb.compare.systems.Launch;
import io.kvdb.compare.systems.Processes;
import io.kvdb.compare.systems.ReferenceServers;
import io.kvdb.compare.targets.EmptyCallTarget;
import io.kvdb.compare.targets.EtcdGrpcTarget;
import io.kvdb.compare.targets.EtcdHttpTarget;
import io.kvdb.compare.targets.RedisTarget;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The systems of the rows asked for, started (all at once, each on its own ports, so that rounds can
 * interleave them), and the kv bench target of each of their cells. A system that is missing or does
 * not start is marked in the results with the reason, and the rest go on.
 */
final class Contenders implements AutoCloseable {
  private static final HttpAccess PLAIN_HTTP = new HttpAccess(Optional.empty(), Optional.empty(), false);

  private final Map<Row, Map<Column, Target>> targets = new EnumMap<>(Row.class);
  private final List<AutoCloseable> clients = new ArrayList<>();

  private Contenders() {}

  /** Starts what {@code rows} need; marks in {@code results} the rows that cannot run, and why. */
  static Contenders start(List<Row> rows, Processes processes, Launch launch, Results results, PrintStream log) {
    Contenders c = new Contenders();
    // The Session row and the health proxy call the R=1 leader: that cluster runs whenever one of
    // the three rows is asked for.
    Optional<KvdbCluster> kvdb = Optional.empty();
    if (rows.contains(Row.KVDB) || rows.contains(Row.KVDB_SESSION) || rows.contains(Row.HEALTH_PROXY)) {
      kvdb = c.attempt(Row.KVDB, results, log, () -> KvdbCluster.start(processes, launch, "kvdb", 1));
      kvdb.ifPresent(k -> {
        c.kvdb(Row.KVDB, k);
        c.put(Row.KVDB_SESSION, Column.GRPC_PUT, Column.GRPC_GET, c.grpc(k, true));
      });
      if (kvdb.isEmpty()) {
        results.unavailable(Row.KVDB_SESSION, results.whyUnavailable(Row.KVDB).orElseThrow());
      }
    }
    if (rows.contains(Row.KVDB_R2)) {
      c.attempt(Row.KVDB_R2, results, log, () -> KvdbCluster.start(processes, launch, "kvdb-r2", 2))
          .ifPresent(k -> c.kvdb(Row.KVDB_R2, k));
    }
    if (rows.contains(Row.ETCD)) {
      Optional<Path> etcd = ExternalStores.installed("etcd");
      if (etcd.isEmpty()) {
        results.unavailable(Row.ETCD, ExternalStores.NOT_INSTALLED);
      } else {
        c.attempt(Row.ETCD, results, log, () -> ExternalStores.etcd(processes, etcd.get())).ifPresent(port -> {
          c.put(Row.ETCD, Column.HTTP_SET, Column.HTTP_GET, new EtcdHttpTarget(port));
          c.put(Row.ETCD, Column.GRPC_PUT, Column.GRPC_GET, new EtcdGrpcTarget(port));
        });
      }
    }
    if (rows.contains(Row.REDIS)) {
      Optional<Path> redis = ExternalStores.installed("redis-server");
      if (redis.isEmpty()) {
        results.unavailable(Row.REDIS, ExternalStores.NOT_INSTALLED);
      } else {
        c.attempt(Row.REDIS, results, log, () -> ExternalStores.redis(processes, redis.get()))
            .ifPresent(port -> c.put(Row.REDIS, Column.GRPC_PUT, Column.GRPC_GET, new RedisTarget(port)));
      }
    }
    List<Row> references = List.of(Row.CEILING, Row.HEALTH_PROXY, Row.EMPTY_GRPC);
    if (references.stream().anyMatch(rows::contains)) {
      // Without a leader the proxy's calls fail and its row says so.
      String leader = kvdb.map(KvdbCluster::leaderAddress).orElse("127.0.0.1:1");
      Optional<ReferenceServers> servers = c.attempt(Row.CEILING, results, log,
          () -> ReferenceServers.start(processes, launch, leader));
      if (servers.isEmpty()) {
        String why = results.whyUnavailable(Row.CEILING).orElseThrow();
        references.forEach(row -> results.unavailable(row, why));
      }
      servers.ifPresent(s -> {
        c.put(Row.CEILING, Column.HTTP_SET, Column.HTTP_GET, http(s.ceilingPort()));
        c.put(Row.HEALTH_PROXY, Column.HTTP_SET, Column.HTTP_GET, http(s.healthProxyPort()));
        c.put(Row.EMPTY_GRPC, Column.GRPC_PUT, Column.GRPC_GET, new EmptyCallTarget(s.emptyGrpcPort()));
      });
    }
    return c;
  }

  /** The target of a cell; empty when its system did not start. */
  Optional<Target> target(Row row, Column column) {
    return Optional.ofNullable(targets.getOrDefault(row, Map.of()).get(column));
  }

  private void kvdb(Row row, KvdbCluster cluster) {
    put(row, Column.HTTP_SET, Column.HTTP_GET, http(cluster.gatewayPort()));
    put(row, Column.GRPC_PUT, Column.GRPC_GET, grpc(cluster, false));
  }

  /** kv-client on a channel of its own to the leader: unary calls, or its Session stream. */
  private Target grpc(KvdbCluster cluster, boolean session) {
    KvClient client = KvClient.connect(cluster.leaderAddress(),
        KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30)).withSession(session));
    clients.add(client);
    return new GrpcTarget(client, cluster.leaderAddress());
  }

  private static Target http(int port) {
    return new HttpTarget(HostPort.parse("port", "127.0.0.1:" + port), PLAIN_HTTP);
  }

  private void put(Row row, Column write, Column read, Target target) {
    Map<Column, Target> cells = targets.computeIfAbsent(row, r -> new EnumMap<>(Column.class));
    cells.put(write, target);
    cells.put(read, target);
    clients.add(target);
  }

  private interface Starter<T> {
    T start();
  }

  private <T> Optional<T> attempt(Row row, Results results, PrintStream log, Starter<T> starter) {
    log.println("compare: starting " + row.label());
    try {
      return Optional.of(starter.start());
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      log.println("compare: " + row.key() + " did not start: " + message);
      results.unavailable(row, "did not start: " + message.lines().findFirst().orElse(""));
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    for (AutoCloseable client : clients) {
      try {
        client.close();
      } catch (Exception e) {
        // closing a client of a process that is about to stop: nothing to do about it
      }
    }
  }
}
