package io.kvdb.compare.report;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** A system the comparison measures, with the columns it has; the table prints them in this order. */
public enum Row {
  KVDB("kvdb", "kvdb: gateway, leader (sync, R=1), 2 followers", EnumSet.allOf(Column.class)),
  KVDB_SESSION("kvdb-session", "kvdb as above, kv-client on the Session stream (gRPC)",
      EnumSet.of(Column.GRPC_PUT, Column.GRPC_GET)),
  KVDB_R2("kvdb-r2", "kvdb as above with --replication-factor 2", EnumSet.of(Column.HTTP_SET)),
  ETCD("etcd", "etcd 3.4 single node, fsync (JSON gateway; gRPC)", EnumSet.allOf(Column.class)),
  REDIS("redis", "Redis, appendfsync always (RESP, not gRPC)", EnumSet.of(Column.GRPC_PUT, Column.GRPC_GET)),
  CEILING("ceiling", "Armeria, constant JSON (the HTTP ceiling)", EnumSet.of(Column.HTTP_SET, Column.HTTP_GET)),
  HEALTH_PROXY("health-proxy", "Armeria + one async gRPC health call to the leader",
      EnumSet.of(Column.HTTP_SET, Column.HTTP_GET)),
  EMPTY_GRPC("empty-grpc", "empty gRPC unary call (Health/Check)", EnumSet.of(Column.GRPC_PUT, Column.GRPC_GET));

  private final String key;
  private final String label;
  private final Set<Column> columns;

  Row(String key, String label, Set<Column> columns) {
    this.key = key;
    this.label = label;
    this.columns = columns;
  }

  /** Its name for {@code --only} and in the JSON report. */
  public String key() {
    return key;
  }

  /** Its name in the table. */
  public String label() {
    return label;
  }

  /** The columns measured for it. */
  public Set<Column> columns() {
    return columns;
  }

  /**
   * @throws IllegalArgumentException naming the choices for an unknown key
   */
  public static Row of(String key) {
    for (Row row : values()) {
      if (row.key.equals(key)) {
        return row;
      }
    }
    throw new IllegalArgumentException("--only takes " + keys() + ", got '" + key + "'");
  }

  /** Every key, comma-separated, for help and errors. */
  public static String keys() {
    return Arrays.stream(values()).map(Row::key).collect(Collectors.joining(","));
  }
}
