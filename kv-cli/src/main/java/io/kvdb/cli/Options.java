package io.kvdb.cli;

import io.kvdb.common.config.Flags;
import io.kvdb.common.security.BearerHeader;
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
 * @param json {@code --json}: answers and errors as JSON on stdout (see {@link Output})
 * @param help whether {@code --help} was asked
 * @param command the command and its operands
 */
record Options(String leader, Optional<Path> tlsCa, boolean tls, Optional<String> token, boolean json, boolean help,
    List<String> command) {
  static final String DEFAULT_LEADER = "127.0.0.1:50051";
  /** Read when --token is not given; unlike a flag, it does not show in the process list. */
  static final String TOKEN_ENV = "KV_TOKEN";

  /** The client's flags; their help is in {@link KvCli#USAGE}, which also lists the commands. */
  static Flags flags() {
    return new Flags("kv")
        .declare("leader", DEFAULT_LEADER, "the leader's gRPC address, HOST:PORT")
        .declare("token", "", "bearer token (default: the environment variable " + TOKEN_ENV + ")")
        .declare("tls-ca", "", "speak TLS, trusting the PEM certificates in this file")
        .declareBoolean("tls", "speak TLS, trusting the system's root certificates")
        .declareBoolean("json", "answers and errors as JSON on stdout")
        .operandsWithTheirFlags("COMMAND [ARGS]");
  }

  /**
   * Whether {@code args} ask for JSON, for a command line that {@link #parse} refused and so could
   * not say: {@code --json} (or {@code --json=true}, yes, 1) before any {@code --}.
   */
  static boolean asksForJson(String[] args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return false;
      }
      if (arg.equals("--json") || arg.matches("(?i)--json=(true|yes|1)")) {
        return true;
      }
    }
    return false;
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
      return new Options(DEFAULT_LEADER, Optional.empty(), false, Optional.empty(), false, true, List.of());
    }
    String token = env.get(TOKEN_ENV);
    String tokenSource = TOKEN_ENV;
    if (flags.isGiven("token")) {
      token = flags.string("token");
      tokenSource = "--token";
      if (token.isEmpty()) {
        throw new KvCli.UsageException("--token is empty");
      }
    }
    if (token != null && token.isEmpty()) {
      token = null; // an empty KV_TOKEN means none, as an unset one
    }
    if (token != null && !BearerHeader.isWellFormed(token)) {
      throw new KvCli.UsageException(tokenSource + " must be visible ASCII characters without spaces");
    }
    Optional<Path> tlsCa = flags.isGiven("tls-ca") ? Optional.of(Path.of(flags.string("tls-ca"))) : Optional.empty();
    return new Options(flags.string("leader"), tlsCa, flags.bool("tls"), Optional.ofNullable(token),
        flags.bool("json"), false, flags.operands());
  }
}
