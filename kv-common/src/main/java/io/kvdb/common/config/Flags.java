package io.kvdb.common.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags of a kvdb process: {@code --name value} or {@code --name=value}, booleans as
 * {@code --name} alone. Every flag is declared with its default and help text, so {@code --help}
 * lists them all and an unknown flag is an error that names it.
 */
public final class Flags {
  private final String program;
  private final Map<String, Flag> declared = new LinkedHashMap<>();
  private final Map<String, String> given = new LinkedHashMap<>();

  private record Flag(String name, String defaultValue, String help, boolean isBoolean) {}

  public Flags(String program) {
    this.program = program;
  }

  public Flags declare(String name, String defaultValue, String help) {
    declared.put(name, new Flag(name, defaultValue, help, false));
    return this;
  }

  public Flags declareBoolean(String name, String help) {
    declared.put(name, new Flag(name, "false", help, true));
    return this;
  }

  /**
   * Parses {@code args}. Returns false when {@code --help} was asked (the usage is then printed).
   *
   * @throws IllegalArgumentException for an unknown flag or a missing value, with the flag's name
   */
  public boolean parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage());
        return false;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "' (flags start with --; see --help)");
      }
      String name = arg.substring(2);
      String value = null;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      }
      Flag flag = declared.get(name);
      if (flag == null) {
        throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
      }
      if (value == null) {
        if (flag.isBoolean()) {
          value = "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("flag --" + name + " needs a value");
        }
      }
      given.put(name, value);
    }
    return true;
  }

  public String usage() {
    StringBuilder out = new StringBuilder("usage: " + program + " [flags]\n\nflags:\n");
    for (Flag flag : declared.values()) {
      String left = "  --" + flag.name() + (flag.isBoolean() ? "" : " VALUE");
      out.append(String.format("%-30s %s", left, flag.help()));
      if (!flag.isBoolean() && !flag.defaultValue().isEmpty()) {
        out.append(" (default: ").append(flag.defaultValue()).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  public boolean isGiven(String name) {
    return given.containsKey(name);
  }

  public String string(String name) {
    Flag flag = declared.get(name);
    if (flag == null) {
      throw new IllegalStateException("flag not declared: " + name);
    }
    return given.getOrDefault(name, flag.defaultValue());
  }

  public List<String> list(String name) {
    List<String> values = new ArrayList<>();
    for (String part : string(name).split(",")) {
      if (!part.isBlank()) {
        values.add(part.trim());
      }
    }
    return values;
  }

  public int integer(String name) {
    long value = longValue(name);
    if (value != (int) value) {
      throw new IllegalArgumentException("flag --" + name + " is too large: " + string(name));
    }
    return (int) value;
  }

  public long longValue(String name) {
    String value = string(name);
    try {
      return parseSize(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("flag --" + name + " needs a number, got '" + value + "'");
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("flag --" + name + " is too large: " + value);
    }
  }

  public boolean bool(String name) {
    String value = string(name);
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException("flag --" + name + " is true or false, got '" + value + "'");
  }

  /** A number with an optional binary suffix: 512, 64k, 1m, 2g (KiB, MiB, GiB). */
  static long parseSize(String value) {
    String v = value.trim().toLowerCase();
    long unit = 1;
    if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
      unit = switch (v.charAt(v.length() - 1)) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        default -> 1L << 30;
      };
      v = v.substring(0, v.length() - 1);
    }
    return Math.multiplyExact(Long.parseLong(v), unit);
  }
}
