package io.kvdb.cli;

import io.kvdb.client.ClientFlags;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.client.StaleReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the CLI reaches kvdb servers: the client options its flags make (plaintext or TLS trusting
 * the system's roots or one PEM file, the bearer token, the deadline). The leader and, for
 * {@code kv verify}, each follower are dialled alike, so one trust file may hold the CA (or the
 * self-signed certificates) of all of them.
 */
final class Connection {
  /** A command line waits longer than a server would: a bench or a big listing runs many calls. */
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private final KvOptions options;

  private Connection(KvOptions options) {
    this.options = options;
  }

  /**
   * @param tlsCa PEM file of trusted certificates; implies TLS
   * @param systemTls TLS with the JVM's default trust store (ignored when {@code tlsCa} is given)
   * @param token the bearer token, if any
   * @throws KvCli.UsageException naming the file when it is missing or holds no PEM certificate
   */
  static Connection of(Optional<Path> tlsCa, boolean systemTls, Optional<String> token) {
    try {
      return new Connection(new ClientFlags(tlsCa, systemTls, token).applyTo(KvOptions.DEFAULT.withDeadline(DEADLINE)));
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(e.getMessage());
    }
  }

  /**
   * A client of the leader at {@code address}; {@code what} names the address in errors.
   *
   * @throws KvCli.UsageException when the address is not HOST:PORT
   */
  KvClient leader(String address, String what) {
    return leader(address, what, false);
  }

  /** As {@link #leader(String, String)}; {@code session}: gets, puts and deletes go on its Session stream. */
  KvClient leader(String address, String what, boolean session) {
    try {
      return KvClient.connect(address, options.withSession(session));
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(what + ": " + e.getMessage());
    }
  }

  /**
   * A client of the follower at {@code address}; {@code what} names the address in errors.
   *
   * @throws KvCli.UsageException when the address is not HOST:PORT
   */
  FollowerClient follower(String address, String what) {
    try {
      return FollowerClient.connect(address, options);
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(what + ": " + e.getMessage());
    }
  }

  /** A reader of the followers' copies, each dialled as the leader (same TLS trust and token). */
  StaleReader staleReader() {
    return StaleReader.connect(options);
  }

  /** The options every server is dialled with. */
  KvOptions options() {
    return options;
  }
}
