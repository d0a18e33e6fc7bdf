package io.kvdb.cli.json;

import java.util.Locale;
import java.util.Map;

/**
 * JSON text, written by hand for the CLI's few shapes (the commands' {@code --json} output, the
 * reports of kv bench and kv compare), so that the client needs no JSON library.
 */
public final class JsonText {
  private JsonText() {}

  /**
   * A JSON string: quotes, backslashes and control characters escaped; other characters as they
   * are (the CLI writes UTF-8).
   */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * The JSON text of {@code value}: null; a string; a boolean; a number (a double that is NaN or
   * infinite is null, as JSON has no such number); a {@link JsonObject}; a map with string keys as
   * an object; any other iterable as an array.
   *
   * @throws IllegalArgumentException for a value of another type
   */
  public static String of(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof CharSequence text) {
      out.append(quote(text.toString()));
    } else if (value instanceof Boolean || value instanceof JsonObject) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      out.append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : Double.toString(d));
    } else if (value instanceof Number) {
      out.append(value); // Integer, Long, BigInteger: exact digits
    } else if (value instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((name, item) -> object.put(String.valueOf(name), item));
      out.append(object);
    } else if (value instanceof Iterable<?> items) {
      out.append('[');
      String comma = "";
      for (Object item : items) {
        out.append(comma);
        append(out, item);
        comma = ", ";
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName());
    }
  }
}
