package io.kvdb.core.security;

import io.kvdb.core.protocol.Frames;

/**
 * One line of a public key file: {@code ID KEY}, as {@code kv keygen} writes {@code .pub} files
 * and the leader's authorized keys file lists followers (the id a key may register under, then the
 * 40-character Z85 key, then optionally a {@code #} comment). Older files hold a key alone, or
 * {@code KEY NAME}: such a line is read as a key bound to no id.
 *
 * @param id the follower id the key is bound to; empty when the line names none
 * @param key the Z85 public key
 */
public record PublicKeyLine(String id, String key) {

  /** Whether the line binds its key to an id. */
  public boolean bound() {
    return !id.isEmpty();
  }

  /**
   * Parses a line that is neither blank nor a comment.
   *
   * @param where names the line in errors, e.g. "authorized keys file F line 3"
   * @throws IllegalArgumentException naming {@code where} when it is neither form
   */
  public static PublicKeyLine parse(String line, String where) {
    String[] fields = line.strip().split("\\s+");
    if (fields.length >= 2 && CurveKeys.isKey(fields[1])) {
      if (!Frames.isValidFollowerId(fields[0])) {
        throw new IllegalArgumentException(where + ": '" + fields[0] + "' is not a follower id (1-64 letters, digits,"
            + " '.', '_' or '-', starting with a letter or digit); lines are 'ID KEY'");
      }
      if (fields.length > 2 && !fields[2].startsWith("#")) {
        throw new IllegalArgumentException(where + ": expected 'ID KEY', then nothing or a # comment");
      }
      return new PublicKeyLine(fields[0], fields[1]);
    }
    if (CurveKeys.isKey(fields[0])) {
      return new PublicKeyLine("", fields[0]); // what follows the key was a name only, as before
    }
    if (fields.length >= 2 && Frames.isValidFollowerId(fields[0])) {
      CurveKeys.decode(fields[1], where); // says what is wrong with the key
    }
    CurveKeys.decode(fields[0], where);
    throw new IllegalArgumentException(where + ": expected 'ID KEY'");
  }
}
