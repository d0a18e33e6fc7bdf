package io.kvdb.core.security;

import org.zeromq.ZMQ;

/** CURVE keys as ZeroMQ writes them: 32 bytes in Z85, a 40-character text. */
public final class CurveKeys {
  /** The Z85 alphabet (ZeroMQ RFC 32); jeromq's decoder does not reject other characters, so we do. */
  private static final String Z85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

  private CurveKeys() {}

  /**
   * The 32 bytes of a Z85 key.
   *
   * @param where names the key in the error, e.g. "keys.txt line 3"
   * @throws IllegalArgumentException when {@code z85} is not a 40-character Z85 key
   */
  public static byte[] decode(String z85, String where) {
    if (z85.length() != ZMQ.Curve.KEY_SIZE_Z85) {
      throw new IllegalArgumentException(where + ": a CURVE key is " + ZMQ.Curve.KEY_SIZE_Z85
          + " Z85 characters, this one has " + z85.length());
    }
    for (int i = 0; i < z85.length(); i++) {
      if (Z85.indexOf(z85.charAt(i)) < 0) {
        throw new IllegalArgumentException(where + ": '" + z85.charAt(i) + "' is not a Z85 character");
      }
    }
    byte[] key = ZMQ.Curve.z85Decode(z85);
    // A 5-character group above 2^32 - 1 decodes to something else: re-encoding shows it.
    if (key == null || key.length != ZMQ.Curve.KEY_SIZE || !ZMQ.Curve.z85Encode(key).equals(z85)) {
      throw new IllegalArgumentException(where + ": not a valid Z85 key");
    }
    return key;
  }

  /** Whether {@code z85} is a well-formed key. */
  public static boolean isKey(String z85) {
    try {
      decode(z85, "key");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The public key of a secret key (Curve25519 scalar multiplication of the base point). */
  static byte[] publicOf(byte[] secretKey) {
    byte[] publicKey = new byte[ZMQ.Curve.KEY_SIZE];
    // jnacl is the library jeromq's CURVE itself runs on.
    com.neilalexander.jnacl.crypto.curve25519.crypto_scalarmult_base(publicKey, secretKey);
    return publicKey;
  }
}
