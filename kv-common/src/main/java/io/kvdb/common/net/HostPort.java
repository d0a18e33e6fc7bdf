package io.kvdb.common.net;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A {@code HOST:PORT} address as every kvdb flag and listing writes it, IPv6 hosts in brackets
 * ({@code [::1]:50051}).
 *
 * @param host name or address, without brackets
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
  public HostPort {
    checkArgument(!host.isBlank(), "host is empty");
    checkArgument(port > 0 && port <= 65535, "port must be in 1..65535: %s", port);
  }

  /**
   * Parses {@code HOST:PORT}. The port is required: a default would hide a typo.
   *
   * @param what names the address in messages: its flag ({@code "--leader"}) or what it is
   * @throws IllegalArgumentException naming {@code what} when the text is not HOST:PORT
   */
  public static HostPort parse(String what, String text) {
    String value = text.trim();
    int colon = value.lastIndexOf(':');
    checkArgument(colon > 0 && colon < value.length() - 1 && !value.endsWith("]"), "%s must be HOST:PORT, got '%s'",
        what, text);
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      checkArgument(!host.isEmpty(), "%s: the host is empty in '%s'", what, text);
    } else {
      checkArgument(host.indexOf(':') < 0 && host.indexOf('[') < 0 && host.indexOf(']') < 0,
          "%s: write an IPv6 host in brackets, e.g. [::1]:50051; got '%s'", what, text);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + ": the port is not a number in '" + text + "'");
    }
    checkArgument(port > 0 && port <= 65535, "%s: the port must be in 1..65535, got '%s'", what, text);
    return new HostPort(host, port);
  }

  /**
   * Parses a host given alone, as the follower's {@code --leader} (whose ports are flags of their
   * own): a name, an IPv4 address, or an IPv6 address with or without brackets.
   *
   * @throws IllegalArgumentException naming {@code what} for an empty host or a HOST:PORT
   */
  public static String parseHost(String what, String text) {
    String host = text.trim();
    checkArgument(!host.isEmpty(), "%s needs a host, got '%s'", what, text);
    if (host.startsWith("[")) {
      checkArgument(host.endsWith("]") && host.length() > 2, "%s is a host alone, without a port; got '%s'", what, text);
      return host.substring(1, host.length() - 1);
    }
    // One colon is a name or an IPv4 address with a port; an IPv6 address holds at least two.
    long colons = host.chars().filter(c -> c == ':').count();
    checkArgument(colons != 1 && host.indexOf(']') < 0, "%s is a host alone, without a port; got '%s'", what, text);
    return host;
  }

  /** Whether the host is a loopback address ({@link Loopback#isLoopback}). */
  public boolean isLoopback() {
    return Loopback.isLoopback(host);
  }

  /** {@code HOST:PORT}, with brackets around an IPv6 host, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
