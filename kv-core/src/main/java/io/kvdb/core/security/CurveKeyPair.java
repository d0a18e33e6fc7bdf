package io.kvdb.core.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.zeromq.ZMQ;

/**
 * A CURVE key pair (Z85). Its key file, as {@code kv keygen} writes it, holds one
 * {@code public-key KEY} and one {@code secret-key KEY} line (space separated: Z85 uses '=');
 * lines starting with {@code #} are comments. {@link #toString()} never shows the secret key.
 *
 * @param publicKey the public key, shared with peers
 * @param secretKey the secret key, kept in the key file only
 */
public record CurveKeyPair(String publicKey, String secretKey) {

  public CurveKeyPair {
    byte[] derived = CurveKeys.publicOf(CurveKeys.decode(secretKey, "secret key"));
    if (!Arrays.equals(derived, CurveKeys.decode(publicKey, "public key"))) {
      throw new IllegalArgumentException("the public key does not belong to the secret key");
    }
  }

  /** A new random key pair. */
  public static CurveKeyPair generate() {
    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
    return new CurveKeyPair(pair.publicKey, pair.secretKey);
  }

  /**
   * Reads a key file.
   *
   * @throws IllegalArgumentException naming the file when it is unreadable or not a key pair
   */
  public static CurveKeyPair read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the CURVE key file " + file + ": " + e.getMessage(), e);
    }
    String publicKey = null;
    String secretKey = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      String where = "CURVE key file " + file + " line " + (i + 1);
      if (fields.length != 2 || !(fields[0].equals("public-key") || fields[0].equals("secret-key"))) {
        throw new IllegalArgumentException(where + ": expected 'public-key KEY' or 'secret-key KEY'"
            + " (is this a .pub file? the key file is the one with the secret key)");
      }
      CurveKeys.decode(fields[1], where);
      if (fields[0].equals("public-key")) {
        publicKey = fields[1];
      } else {
        secretKey = fields[1];
      }
    }
    if (publicKey == null || secretKey == null) {
      throw new IllegalArgumentException("CURVE key file " + file + " needs a public-key and a secret-key line"
          + " (make one with: kv keygen DIR NAME)");
    }
    try {
      return new CurveKeyPair(publicKey, secretKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CURVE key file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the key file (owner read/write only where the file system has POSIX permissions) and
   * the public key file, a single {@code NAME KEY} line ({@link PublicKeyLine}): the line the
   * leader's authorized keys file takes to let follower NAME in with this key.
   * Existing files are never overwritten.
   *
   * @throws FileAlreadyExistsException when either file exists
   */
  public void write(Path keyFile, Path publicFile, String name) throws IOException {
    if (Files.exists(keyFile) || Files.exists(publicFile)) {
      throw new FileAlreadyExistsException(Files.exists(keyFile) ? keyFile.toString() : publicFile.toString());
    }
    String secret = "# kvdb CURVE key pair of " + name + ". Keep this file secret: it holds the secret key.\n"
        + "public-key " + publicKey + "\n"
        + "secret-key " + secretKey + "\n";
    if (Files.getFileStore(keyFile.toAbsolutePath().getParent()).supportsFileAttributeView("posix")) {
      Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(keyFile);
    }
    Files.writeString(keyFile, secret, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(publicFile, name + " " + publicKey + "\n", StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE_NEW);
  }

  public byte[] publicKeyBytes() {
    return CurveKeys.decode(publicKey, "public key");
  }

  public byte[] secretKeyBytes() {
    return CurveKeys.decode(secretKey, "secret key");
  }

  @Override
  public String toString() {
    return "CurveKeyPair[public " + publicKey + ", secret not shown]";
  }
}
