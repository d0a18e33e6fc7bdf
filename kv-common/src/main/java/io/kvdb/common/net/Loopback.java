package io.kvdb.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether an address stays on this machine: the servers and the gateway warn at startup when
 * tokens or data would cross a network in clear text, and stay quiet on loopback.
 */
public final class Loopback {
  private Loopback() {}

  /**
   * Whether {@code host} (a name or an address, IPv6 with or without brackets) is a loopback
   * address: {@code 127.0.0.1}, {@code ::1}, {@code localhost}. {@code 0.0.0.0}, every interface,
   * is not; nor is a name that does not resolve.
   */
  public static boolean isLoopback(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.isBlank()) {
      return false; // InetAddress would take an empty name for the loopback address
    }
    try {
      return InetAddress.getByName(bare).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
