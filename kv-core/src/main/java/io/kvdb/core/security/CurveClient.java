package io.kvdb.core.security;

import io.kvdb.common.config.FlagFiles;
import io.kvdb.common.config.Flags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.zeromq.ZMQ;

/**
 * CURVE on a follower's replication sockets (SUB and control DEALER): the follower proves its key
 * to the leader, and checks that the leader holds the secret key of {@code leaderPublicKey}, so a
 * host posing as the leader cannot feed it data.
 *
 * @param keys this follower's key pair (its public key must be in the leader's authorized keys)
 * @param leaderPublicKey the leader's public key, Z85
 */
public record CurveClient(CurveKeyPair keys, String leaderPublicKey) {

  public CurveClient {
    CurveKeys.decode(leaderPublicKey, "the leader's public key");
  }

  /** Adds --curve-key-file and --leader-curve-public-key. */
  public static Flags declareFlags(Flags flags) {
    return flags
        .declare("curve-key-file", "", "this follower's CURVE key file (from kv keygen): replication then uses CURVE "
            + "(needs --leader-curve-public-key; the leader must list this follower's public key)")
        .declare("leader-curve-public-key", "", "the leader's CURVE public key: 40 Z85 characters, or a file holding "
            + "it (the leader's .pub file)");
  }

  /**
   * Reads the flags of {@link #declareFlags}; empty when CURVE is off.
   *
   * @throws IllegalArgumentException naming the flag (and file) when a value is missing or wrong
   */
  public static Optional<CurveClient> fromFlags(Flags flags) {
    FlagFiles.together(flags, "curve-key-file", "leader-curve-public-key",
        "a CURVE client needs its own keys and the leader's public key");
    Optional<CurveKeyPair> keys = FlagFiles.load(flags, "curve-key-file", CurveKeyPair::read);
    return keys.map(k -> new CurveClient(k, leaderKey(flags.string("leader-curve-public-key"))));
  }

  /**
   * The first key in the file {@code value} names (a .pub file: {@code NAME KEY}, or the key
   * first as older ones), or else {@code value} as a Z85 key. The file is
   * looked for first: a path can be 40 characters of the Z85 alphabet too ({@code /tmp/.../leader.pub}).
   */
  private static String leaderKey(String value) {
    Path file = Path.of(value);
    if (!Files.isRegularFile(file)) {
      if (CurveKeys.isKey(value)) {
        return value;
      }
      throw new IllegalArgumentException("--leader-curve-public-key: neither a 40-character Z85 key nor an existing"
          + " file: " + value);
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String stripped = line.strip();
        if (!stripped.isEmpty() && !stripped.startsWith("#")) {
          String first = stripped.split("\\s+")[0];
          if (first.equals("public-key") || first.equals("secret-key")) {
            throw new IllegalArgumentException("--leader-curve-public-key " + file + " is a key file with a secret "
                + "key; give the leader's .pub file, and keep its key file on the leader only");
          }
          return PublicKeyLine.parse(stripped, "--leader-curve-public-key " + file).key();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--leader-curve-public-key " + file + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("--leader-curve-public-key " + file + " holds no key");
  }

  /** Makes {@code socket} a CURVE client of the leader; call before it connects. */
  public void secure(ZMQ.Socket socket) {
    socket.setCurveServerKey(CurveKeys.decode(leaderPublicKey, "the leader's public key"));
    socket.setCurvePublicKey(keys.publicKeyBytes());
    socket.setCurveSecretKey(keys.secretKeyBytes());
  }
}
