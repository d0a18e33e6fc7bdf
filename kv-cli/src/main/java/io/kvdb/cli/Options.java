package io.kvdb.cli;

import io.kvdb.client.ClientFlags;
import io.kvdb.common.config.Flags;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client's own flags, taken from anywhere on the command line (before or after the command),
 * and what is left: the command and its operands, the flags of the command among them
 * ({@code --wait 1}). Read by the shared {@link Flags}, so spellings are those of every kvdb process
 * ({@code --tls-ca=FILE}, {@code --tls=false}); {@code --} ends the client's flags.
 *
 * @param leader the leader's gRPC address, HOST:PORT
 * @param tlsCa {@code --tls-ca}: PEM file of trusted certificates (implies TLS)
 * @param tls {@code --tls}: TLS with the system's root certificates
 * @param token {@code --token}, else the environment variable {@code KV_TOKEN}
 * @param help whether {@code --help} was asked
 * @param command the command and its operands
 */
record Options(String leader, Optional<Path> tlsCa, boolean tls, Optional<String> token, boolean help,
    List<String> command) {
  static final String DEFAULT_LEADER = "127.0.0.1:50051";
  /** Read when --token is not given; unlike a flag, it does not show in the process list. */
  static final String TOKEN_ENV = ClientFlags.TOKEN_ENV;

  /** The client's flags; their help is in {@link KvCli#USAGE}, which also lists the commands. */
  static Flags flags() {
    Flags flags = new Flags("kv").declare("leader", DEFAULT_LEADER, "the leader's gRPC address, HOST:PORT");
    return ClientFlags.declare(flags, "the servers").operandsWithTheirFlags("COMMAND [ARGS]");
  }

  /**
   * @throws KvCli.UsageException for a flag without its value or a token that cannot be one
   */
  static Options parse(String[] args, Map<String, String> env) {
    Flags flags = flags();
    boolean help;
    try {
      help = !flags.parse(args);
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(e.getMessage());
    }
    if (help) {
      return new Options(DEFAULT_LEADER, Optional.empty(), false, Optional.empty(), true, List.of());
    }
    ClientFlags security;
    try {
      security = ClientFlags.read(flags, env);
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(e.getMessage());
    }
    return new Options(flags.string("leader"), security.tlsCa(), security.systemTls(), security.token(), false,
        flags.operands());
  }
}
