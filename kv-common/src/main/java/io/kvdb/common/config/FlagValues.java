package io.kvdb.common.config;

import java.util.Locale;
import picocli.CommandLine.TypeConversionException;

/** How flag values are spelled, the same for every process. */
final class FlagValues {
  private FlagValues() {}

  /**
   * A boolean: true/false, yes/no, 1/0, in any case (the union of what the servers and the gateway
   * accepted before they shared a parser).
   *
   * @throws TypeConversionException for anything else
   */
  static Boolean parseBoolean(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new TypeConversionException("not a boolean: '" + value + "'");
    };
  }

  static String notABoolean(String flag, String value) {
    return "flag " + flag + " needs true or false (or yes/no, 1/0), got '" + value + "'";
  }

  /**
   * A number with an optional binary suffix: 512, 64k, 1m, 2g (KiB, MiB, GiB), any case.
   *
   * @throws NumberFormatException when it is no number
   * @throws ArithmeticException when it does not fit a long
   */
  static long parseSize(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      default -> 1;
    };
    String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
    return Math.multiplyExact(Long.parseLong(digits), unit);
  }
}
