package io.kvdb.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client's own flags, taken from anywhere on the command line (before or after the command),
 * and what is left: the command and its operands.
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
  static final String TOKEN_ENV = "KV_TOKEN";

  /**
   * @throws KvCli.UsageException for a flag without its value or a token that cannot be one
   */
  static Options parse(String[] args, Map<String, String> env) {
    String leader = DEFAULT_LEADER;
    Optional<Path> tlsCa = Optional.empty();
    boolean tls = false;
    String token = env.get(TOKEN_ENV);
    String tokenSource = TOKEN_ENV;
    boolean help = false;
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      switch (name) {
        case "--leader", "--token", "--tls-ca" -> {
          String value;
          if (arg.contains("=")) {
            value = arg.substring(arg.indexOf('=') + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new KvCli.UsageException(name + " needs a value");
          }
          switch (name) {
            case "--leader" -> leader = value;
            case "--tls-ca" -> tlsCa = Optional.of(Path.of(value));
            default -> {
              token = value;
              tokenSource = "--token";
              if (value.isEmpty()) {
                throw new KvCli.UsageException("--token is empty");
              }
            }
          }
        }
        case "--tls" -> tls = true;
        case "--help", "-h" -> help = true;
        default -> command.add(arg);
      }
    }
    if (token != null && token.isEmpty()) {
      token = null; // an empty KV_TOKEN means none, as an unset one
    }
    if (token != null && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new KvCli.UsageException(tokenSource + " must be visible ASCII characters without spaces");
    }
    return new Options(leader, tlsCa, tls, Optional.ofNullable(token), help, List.copyOf(command));
  }
}
