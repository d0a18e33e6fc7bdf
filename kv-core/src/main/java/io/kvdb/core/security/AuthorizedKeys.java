package io.kvdb.core.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The CURVE public keys allowed to connect to the leader's replication sockets, each with the
 * follower id it may register under: one {@code ID KEY} line per follower ({@link PublicKeyLine},
 * as {@code kv keygen} writes .pub files); blank lines and lines starting with {@code #} are
 * ignored. A key listed alone (or as {@code KEY NAME}, the older .pub format) may register under
 * any id, as before ids were bound; the file's load logs a warning for such lines.
 *
 * <p>The file is read again when it changes (checked at most once a second, on the next
 * handshake or hello), so a follower can be added without restarting the leader. A removed key
 * takes effect at that follower's next connection; connections already made stay up. A file that
 * no longer parses is reported and the keys read before are kept.
 */
public final class AuthorizedKeys {
  private static final Logger log = LoggerFactory.getLogger(AuthorizedKeys.class);
  private static final long RECHECK_MS = 1_000;

  private final Path file;
  private final LongSupplier clockMs;
  /** Key to the ids it may register under; an empty set: any id. */
  private volatile Map<String, Set<String>> keys;
  private FileTime loadedModified;
  private long lastCheckMs;

  private AuthorizedKeys(Path file, Map<String, Set<String>> keys, FileTime loadedModified, LongSupplier clockMs) {
    this.file = file;
    this.keys = Map.copyOf(keys);
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
    return load(file, () -> System.nanoTime() / 1_000_000);
  }

  /** Like {@link #load(Path)}, with the clock (ms) that paces re-reading the file (tests). */
  public static AuthorizedKeys load(Path file, LongSupplier clockMs) {
    FileTime modified = modified(file);
    return new AuthorizedKeys(file, parse(file), modified, clockMs);
  }

  /** A fixed set of Z85 public keys, each allowed under any id (tests, embedding). */
  public static AuthorizedKeys of(Collection<String> z85Keys) {
    Map<String, Set<String>> keys = new HashMap<>();
    for (String key : z85Keys) {
      CurveKeys.decode(key, "authorized key");
      keys.put(key, Set.of());
    }
    return new AuthorizedKeys(null, keys, null, () -> 0);
  }

  private static Map<String, Set<String>> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the authorized keys file " + file + ": " + e.getMessage(), e);
    }
    Map<String, Set<String>> keys = new HashMap<>();
    Set<String> anyId = new HashSet<>();
    List<Integer> unbound = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String first = line.split("\\s+", 2)[0];
      if (first.equals("public-key") || first.equals("secret-key")) {
        throw new IllegalArgumentException("authorized keys file " + file + " line " + (i + 1)
            + ": this looks like a key file; list the followers' .pub files here, never secret keys");
      }
      PublicKeyLine parsed = PublicKeyLine.parse(line, "authorized keys file " + file + " line " + (i + 1));
      Set<String> ids = keys.computeIfAbsent(parsed.key(), k -> new HashSet<>());
      if (parsed.bound()) {
        ids.add(parsed.id());
      } else {
        anyId.add(parsed.key());
        unbound.add(i + 1);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("authorized keys file " + file + " holds no key: no follower could connect");
    }
    anyId.forEach(key -> keys.put(key, Set.of())); // a key listed alone anywhere may use any id
    if (!unbound.isEmpty()) {
      log.warn("authorized keys file {}: the key(s) on line(s) {} name no follower id, so each may register as any"
          + " follower; write 'ID KEY' lines (as kv keygen's .pub files are) to bind every key to its follower",
          file, unbound);
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    keys.forEach((key, ids) -> frozen.put(key, Set.copyOf(ids)));
    return frozen;
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
    return publicKey.length == ZMQ.Curve.KEY_SIZE && keys.containsKey(ZMQ.Curve.z85Encode(publicKey));
  }

  /**
   * Why the client with Z85 key {@code z85} may not act as follower {@code followerId}, or null
   * when it may. Re-reads a changed file first.
   */
  public String refusal(String z85, String followerId) {
    reloadIfChanged();
    Set<String> ids = z85 == null ? null : keys.get(z85);
    if (ids == null) {
      return "its CURVE key " + z85 + " is not in --curve-authorized-keys";
    }
    if (!ids.isEmpty() && !ids.contains(followerId)) {
      return "its CURVE key " + z85 + " is authorized for follower id(s) " + new TreeSet<>(ids)
          + " in --curve-authorized-keys, not for '" + followerId + "'";
    }
    return null;
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
      Map<String, Set<String>> reloaded = parse(file);
      if (!reloaded.equals(keys)) {
        log.info("authorized keys file {} changed: {} key(s), was {}", file, reloaded.size(), keys.size());
      }
      keys = Map.copyOf(reloaded);
    } catch (IllegalArgumentException e) {
      log.error("keeping the {} authorized key(s) read before: {}", keys.size(), e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "AuthorizedKeys[" + keys.size() + " key(s)" + (file == null ? "" : " from " + file) + "]";
  }
}
