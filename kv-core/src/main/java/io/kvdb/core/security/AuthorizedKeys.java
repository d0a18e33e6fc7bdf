package io.kvdb.core.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The CURVE public keys allowed to connect to the leader's replication sockets: one Z85 key per
 * line, optionally followed by a name ({@code KEY NAME}, as {@code kv keygen} writes .pub files);
 * blank lines and lines starting with {@code #} are ignored.
 *
 * <p>The file is read again when it changes (checked at most once a second, on the next
 * handshake), so a follower can be added without restarting the leader. A removed key takes
 * effect at that follower's next connection; connections already made stay up. A file that no
 * longer parses is reported and the keys read before are kept.
 */
public final class AuthorizedKeys {
  private static final Logger log = LoggerFactory.getLogger(AuthorizedKeys.class);
  private static final long RECHECK_MS = 1_000;

  private final Path file;
  private final LongSupplier clockMs;
  private volatile Set<String> keys;
  private FileTime loadedModified;
  private long lastCheckMs;

  private AuthorizedKeys(Path file, Set<String> keys, FileTime loadedModified, LongSupplier clockMs) {
    this.file = file;
    this.keys = Set.copyOf(keys);
    this.loadedModified = loadedModified;
    this.clockMs = clockMs;
    this.lastCheckMs = clockMs.getAsLong();
  }

  /**
   * Reads an authorized keys file.
   *
   * @throws IllegalArgumentException naming the file (and line) when it is unreadable, malformed
   *     or holds no key
   */
  public static AuthorizedKeys load(Path file) {
    FileTime modified = modified(file);
    return new AuthorizedKeys(file, parse(file), modified, () -> System.nanoTime() / 1_000_000);
  }

  /** A fixed set of Z85 public keys (tests, embedding). */
  public static AuthorizedKeys of(Collection<String> z85Keys) {
    Set<String> keys = new HashSet<>();
    for (String key : z85Keys) {
      CurveKeys.decode(key, "authorized key");
      keys.add(key);
    }
    return new AuthorizedKeys(null, keys, null, () -> 0);
  }

  private static Set<String> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the authorized keys file " + file + ": " + e.getMessage(), e);
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String key = line.split("\\s+", 2)[0];
      if (key.equals("public-key") || key.equals("secret-key")) {
        throw new IllegalArgumentException("authorized keys file " + file + " line " + (i + 1)
            + ": this looks like a key file; list the followers' .pub files here, never secret keys");
      }
      CurveKeys.decode(key, "authorized keys file " + file + " line " + (i + 1));
      keys.add(key);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("authorized keys file " + file + " holds no key: no follower could connect");
    }
    return keys;
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the authorized keys file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Whether a client with this 32-byte public key may connect. Re-reads a changed file first. */
  public boolean allows(byte[] publicKey) {
    reloadIfChanged();
    return publicKey.length == ZMQ.Curve.KEY_SIZE && keys.contains(ZMQ.Curve.z85Encode(publicKey));
  }

  public int size() {
    return keys.size();
  }

  private synchronized void reloadIfChanged() {
    if (file == null || clockMs.getAsLong() - lastCheckMs < RECHECK_MS) {
      return;
    }
    lastCheckMs = clockMs.getAsLong();
    try {
      FileTime modified = modified(file);
      if (modified.equals(loadedModified)) {
        return;
      }
      loadedModified = modified;
      Set<String> reloaded = Set.copyOf(parse(file));
      if (!reloaded.equals(keys)) {
        log.info("authorized keys file {} changed: {} key(s), was {}", file, reloaded.size(), keys.size());
      }
      keys = reloaded;
    } catch (IllegalArgumentException e) {
      log.error("keeping the {} authorized key(s) read before: {}", keys.size(), e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "AuthorizedKeys[" + keys.size() + " key(s)" + (file == null ? "" : " from " + file) + "]";
  }
}
