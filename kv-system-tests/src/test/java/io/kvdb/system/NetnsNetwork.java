package io.kvdb.system;

import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.kvdb.testing.JavaProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Each process on a host of its own: Linux network namespaces made by the test with iproute2, one
 * per process plus one for the test's clients, cabled by veth pairs to a bridge that lives in a
 * namespace of its own, so nothing is added to the machine's own network. Addresses are
 * 10.77.0.N inside these namespaces only. The test reaches the hosts through {@link UdsRelay},
 * started in the client namespace.
 *
 * <p>Where namespaces cannot be made (not root, no CAP_SYS_ADMIN, no iproute2) the test is skipped
 * with the reason; on CI (CI=true) the skip is also printed loudly, as it hides a scenario.
 */
final class NetnsNetwork implements Network, AutoCloseable {
  private static final String SUBNET = "10.77.0.";
  private static final String CLIENT = "client";

  private final String prefix = "kvt" + ProcessHandle.current().pid();
  private final Path socketDir;
  private final Map<String, Integer> hosts = new LinkedHashMap<>();
  private final List<String> namespaces = new ArrayList<>();
  private Process relay;
  private Writer relayIn;
  private BufferedReader relayOut;
  private EpollEventLoopGroup group;

  private NetnsNetwork(Path socketDir) {
    this.socketDir = socketDir;
  }

  /** Hosts for {@code names} and for the test's clients, or the test is skipped saying why. */
  static NetnsNetwork create(Path socketDir, String... names) {
    NetnsNetwork network = new NetnsNetwork(socketDir);
    try {
      network.build(names);
      return network;
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  private void build(String... names) {
    String switchNs = prefix + "-sw";
    String why = Shell.run("ip", "netns", "add", switchNs);
    if (why != null) {
      skip("cannot make network namespaces here (`ip netns add` failed: " + why.trim() + ")");
    }
    namespaces.add(switchNs);
    if (!Epoll.isAvailable()) {
      skip("netty's epoll transport (for Unix sockets into the namespaces) is not available: " + Epoll.unavailabilityCause());
    }
    Shell.require("ip", "-n", switchNs, "link", "add", "br0", "type", "bridge");
    Shell.require("ip", "-n", switchNs, "link", "set", "br0", "up");
    List<String> all = new ArrayList<>(List.of(names));
    all.add(CLIENT);
    for (String name : all) {
      int host = hosts.size() + 1;
      String ns = namespace(name);
      Shell.require("ip", "netns", "add", ns);
      namespaces.add(ns);
      Shell.require("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port(host), "netns", switchNs);
      Shell.require("ip", "-n", switchNs, "link", "set", port(host), "master", "br0", "up");
      Shell.require("ip", "-n", ns, "addr", "add", SUBNET + host + "/24", "dev", "eth0");
      Shell.require("ip", "-n", ns, "link", "set", "eth0", "up");
      Shell.require("ip", "-n", ns, "link", "set", "lo", "up");
      hosts.put(name, host);
    }
    startRelay();
    group = new EpollEventLoopGroup(1);
  }

  private static void skip(String reason) {
    if ("true".equals(System.getenv("CI"))) {
      System.out.println("\n!!!! NETWORK NAMESPACE SCENARIO SKIPPED ON CI: " + reason + " !!!!\n");
    }
    Assumptions.abort("network namespace scenario skipped: " + reason);
  }

  @Override
  public String address(String name) {
    Integer host = hosts.get(name);
    if (host == null) {
      throw new IllegalArgumentException("no host named " + name + " in this network: " + hosts.keySet());
    }
    return SUBNET + host;
  }

  @Override
  public List<String> launcher(String name) {
    address(name); // fails for an unknown host
    return List.of("ip", "netns", "exec", namespace(name));
  }

  /** Asks the relay, from the client host, until the port accepts connections. */
  @Override
  public void awaitListening(JavaProcess process, String name, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!relay("probe " + address(name) + ":" + port).equals("open")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " is not listening on " + address(name) + ":" + port + " (alive: "
            + process.isAlive() + "):\n" + process.log());
      }
      TestCluster.sleep(200);
    }
  }

  @Override
  public NettyChannelBuilder channel(String name, int port, ChannelCredentials credentials) {
    return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket(name, port).toString()), credentials)
        .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).overrideAuthority("localhost");
  }

  /** A Unix socket in the test's file system that leads to {@code port} of host {@code name}. */
  Path socket(String name, int port) {
    Path socket = socketDir.resolve(name + "-" + port + ".sock");
    String answer = relay("listen " + socket + " " + address(name) + ":" + port);
    if (!answer.equals("ready " + socket)) {
      throw new IllegalStateException("the relay answered '" + answer + "' for " + socket);
    }
    return socket;
  }

  private synchronized String relay(String command) {
    try {
      relayIn.write(command + "\n");
      relayIn.flush();
      String answer = relayOut.readLine();
      if (answer == null) {
        throw new IllegalStateException("the relay into the client namespace exited; see " + socketDir.resolve("relay.log"));
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException("the relay into the client namespace failed", e);
    }
  }

  /** Cuts host {@code name} off the network: its switch port goes down, its processes keep running. */
  void cut(String name) {
    Shell.require("ip", "-n", prefix + "-sw", "link", "set", port(hosts.get(name)), "down");
  }

  void restore(String name) {
    Shell.require("ip", "-n", prefix + "-sw", "link", "set", port(hosts.get(name)), "up");
  }

  private void startRelay() {
    try {
      Path testClasses = Path.of(UdsRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      relay = new ProcessBuilder("ip", "netns", "exec", namespace(CLIENT),
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:+UseSerialGC",
          "-cp", testClasses.toString(), UdsRelay.class.getName())
          .redirectError(socketDir.resolve("relay.log").toFile())
          .start();
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot start the relay into the client namespace", e);
    }
    relayIn = new OutputStreamWriter(relay.getOutputStream(), StandardCharsets.UTF_8);
    relayOut = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
  }

  private String namespace(String name) {
    return prefix + "-" + name;
  }

  private static String port(int host) {
    return "p" + host;
  }

  /** Stops the relay and deletes the namespaces, which takes their links with them. */
  @Override
  public void close() {
    if (relay != null) {
      relay.destroy();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      Shell.run("ip", "netns", "del", namespaces.get(i));
    }
    namespaces.clear();
  }
}
