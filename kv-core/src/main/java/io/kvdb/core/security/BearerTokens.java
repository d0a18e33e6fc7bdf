package io.kvdb.core.security;

import io.kvdb.common.security.BearerHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens a server accepts, each with a {@link Role}. Loaded from a token file of lines
 * {@code ROLE TOKEN} ({@code read} or {@code write}); blank lines and lines starting with {@code #}
 * are ignored. Only SHA-256 digests of the tokens are kept, and a lookup compares the digest of the
 * presented token with every entry in constant time, so neither the time taken nor an early exit
 * tells a caller how much of a guess was right.
 */
public final class BearerTokens {
  /** Shorter tokens are refused at load time: they could be guessed. */
  public static final int MIN_TOKEN_CHARS = 16;
  /** Longer tokens are refused: they do not fit comfortably in an HTTP header. */
  public static final int MAX_TOKEN_CHARS = 4096;

  /** What a token may do. */
  public enum Role {
    /** Reads only: KV Get and List, the Cluster API, the follower read API. */
    READ,
    /** Everything, reads included. */
    WRITE;

    /** Whether a token of this role may call a method that needs {@code needed}. */
    public boolean allows(Role needed) {
      return this == WRITE || needed == READ;
    }
  }

  private record Entry(byte[] sha256, Role role) {}

  private final List<Entry> entries;
  private final String source;

  private BearerTokens(List<Entry> entries, String source) {
    this.entries = List.copyOf(entries);
    this.source = source;
  }

  /**
   * Reads a token file.
   *
   * @throws IllegalArgumentException naming the file (and line) when it is missing, unreadable,
   *     malformed or holds no token; token values never appear in the message
   */
  public static BearerTokens load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e.getMessage(), e);
    }
    Map<String, Role> tokens = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "token file " + file + " line " + (i + 1);
      String[] fields = line.split("\\s+");
      if (fields.length != 2) {
        throw new IllegalArgumentException(where + ": expected 'ROLE TOKEN' (ROLE is read or write)");
      }
      Role role = role(fields[0], where);
      String token = fields[1];
      checkToken(token, where);
      Integer earlier = lineOf.putIfAbsent(token, i + 1);
      if (earlier != null) {
        throw new IllegalArgumentException(where + ": the same token is on line " + earlier + "; each token has one role");
      }
      tokens.put(token, role);
    }
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("token file " + file + " holds no token: every call would be refused");
    }
    return build(tokens, file.toString());
  }

  /** Tokens given in code (tests, embedding). */
  public static BearerTokens of(Map<String, Role> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no token: every call would be refused");
    }
    tokens.keySet().forEach(token -> checkToken(token, "token"));
    return build(tokens, "code");
  }

  private static BearerTokens build(Map<String, Role> tokens, String source) {
    List<Entry> entries = new ArrayList<>();
    tokens.forEach((token, role) -> entries.add(new Entry(sha256(token), role)));
    return new BearerTokens(entries, source);
  }

  private static Role role(String name, String where) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "read" -> Role.READ;
      case "write" -> Role.WRITE;
      default -> throw new IllegalArgumentException(where + ": unknown role '" + name + "' (read or write)");
    };
  }

  /** Tokens travel in an HTTP/2 header: {@link BearerHeader#isWellFormed} says what fits in one. */
  private static void checkToken(String token, String where) {
    if (token.length() < MIN_TOKEN_CHARS || token.length() > MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException(where + ": a token must have " + MIN_TOKEN_CHARS + " to " + MAX_TOKEN_CHARS
          + " characters, this one has " + token.length());
    }
    if (!BearerHeader.isWellFormed(token)) {
      throw new IllegalArgumentException(where + ": a token may only hold visible ASCII characters (no spaces)");
    }
  }

  /**
   * The role of {@code token}, or empty when it is not one of these tokens. Takes the same time
   * whichever entry matches, or none.
   */
  public Optional<Role> roleOf(String token) {
    byte[] presented = sha256(token);
    Role found = null;
    for (Entry entry : entries) {
      // MessageDigest.isEqual runs in constant time; every entry is compared, no early exit.
      boolean equal = MessageDigest.isEqual(presented, entry.sha256());
      found = equal ? entry.role() : found;
    }
    return Optional.ofNullable(found);
  }

  /** How many tokens have {@code role}. */
  public long count(Role role) {
    return entries.stream().filter(e -> e.role() == role).count();
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Counts only: token values never reach logs. */
  @Override
  public String toString() {
    return "BearerTokens[" + count(Role.READ) + " read, " + count(Role.WRITE) + " write, from " + source + "]";
  }
}
