package io.kvdb.compare.report;

/** A column of the comparison table: one operation over one protocol, the same load for every system. */
public enum Column {
  HTTP_SET("http_set", "HTTP POST /set", true, true),
  HTTP_GET("http_get", "HTTP GET /get", true, false),
  GRPC_PUT("grpc_put", "gRPC put", false, true),
  GRPC_GET("grpc_get", "gRPC get", false, false);

  private final String key;
  private final String label;
  private final boolean http;
  private final boolean write;

  Column(String key, String label, boolean http, boolean write) {
    this.key = key;
    this.label = label;
    this.http = http;
    this.write = write;
  }

  /** Its name in the JSON report. */
  public String key() {
    return key;
  }

  /** Its name in the table. */
  public String label() {
    return label;
  }

  /** HTTP (16 clients, 16-byte values) rather than gRPC or the store's own protocol (32, 100 bytes). */
  public boolean http() {
    return http;
  }

  /** Writes on distinct keys (workload load) rather than reads of stored keys (workload read). */
  public boolean write() {
    return write;
  }
}
