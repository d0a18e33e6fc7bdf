package io.kvdb.client;

import com.google.protobuf.ByteString;
import java.util.Base64;

/**
 * How a value is written in the JSON the API reads ({@code POST /set}, {@code PUT /v1/kv/{key}},
 * a batch's puts over HTTP and in {@code ./kv batch}): UTF-8 text by default, or the standard
 * base64 of any bytes with {@code "encoding": "base64"}. One set of rules, and one wording of its
 * errors, for every JSON body.
 */
public final class ValueEncoding {
  /** The default: the value is the UTF-8 of the string. */
  public static final String UTF8 = "utf8";
  /** The value is the standard base64 (with padding) of its bytes. */
  public static final String BASE64 = "base64";

  private ValueEncoding() {}

  /**
   * {@code encoding} if it is one of the two; {@link #UTF8} when null (absent).
   *
   * @throws IllegalArgumentException naming the two
   */
  public static String checked(String encoding) {
    if (encoding == null) {
      return UTF8;
    }
    if (!encoding.equals(UTF8) && !encoding.equals(BASE64)) {
      throw new IllegalArgumentException("\"encoding\" must be \"utf8\" (the default) or \"base64\"");
    }
    return encoding;
  }

  /**
   * The bytes {@code text} stands for in {@code encoding} (one {@link #checked} accepts).
   *
   * @throws IllegalArgumentException for text that is not valid base64
   */
  public static ByteString decode(String text, String encoding) {
    if (checked(encoding).equals(UTF8)) {
      return ByteString.copyFromUtf8(text);
    }
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"value\" is not valid base64: " + e.getMessage());
    }
  }
}
