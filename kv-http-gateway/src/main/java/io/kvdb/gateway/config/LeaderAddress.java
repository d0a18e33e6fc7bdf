package io.kvdb.gateway.config;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Where the leader's gRPC port is: {@code HOST:PORT}, with IPv6 hosts in brackets
 * ({@code [::1]:50051}).
 *
 * @param host name or address of the leader
 * @param port its gRPC port
 */
public record LeaderAddress(String host, int port) {
  public LeaderAddress {
    checkArgument(!host.isBlank(), "leader host is empty");
    checkArgument(port > 0 && port <= 65535, "leader port must be in 1..65535: %s", port);
  }

  /** Parses {@code HOST:PORT}; the port is required, since a wrong default would hide a typo. */
  public static LeaderAddress parse(String text) {
    String value = text.trim();
    int colon = value.lastIndexOf(':');
    checkArgument(colon > 0 && colon < value.length() - 1, "leader address must be HOST:PORT, got '%s'", text);
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else {
      checkArgument(host.indexOf(':') < 0, "write an IPv6 leader address in brackets, e.g. [::1]:50051; got '%s'", text);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("leader port is not a number in '" + text + "'");
    }
    return new LeaderAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
