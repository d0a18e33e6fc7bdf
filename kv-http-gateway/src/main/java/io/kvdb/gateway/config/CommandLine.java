package io.kvdb.gateway.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's flags: {@code --name value} or {@code --name=value}, and switches that take no value
 * ({@code --leader-tls}). Each flag is declared with a default and a help line, so {@code --help}
 * lists them all and an unknown flag is an error that names it. (Same syntax as the leader's flags;
 * kept here so the gateway does not depend on kv-core and its storage libraries.)
 */
final class CommandLine {
  private final String program;
  private final Map<String, Flag> declared = new LinkedHashMap<>();
  private final Map<String, String> given = new LinkedHashMap<>();

  /** A switch takes no value: given means true ({@code --name=false} turns it off again). */
  private record Flag(String name, String defaultValue, String help, boolean isSwitch) {}

  CommandLine(String program) {
    this.program = program;
  }

  CommandLine declare(String name, String defaultValue, String help) {
    declared.put(name, new Flag(name, defaultValue, help, false));
    return this;
  }

  /** A flag without a value, false unless given; read it with {@link #bool}. */
  CommandLine declareSwitch(String name, String help) {
    declared.put(name, new Flag(name, "false", help, true));
    return this;
  }

  /**
   * Reads {@code args}; false when {@code --help} was asked.
   *
   * @throws IllegalArgumentException for an unknown flag, a missing value or a stray argument
   */
  boolean parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
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
      if (!declared.containsKey(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
      }
      if (value == null && declared.get(name).isSwitch()) {
        value = "true";
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      given.put(name, value);
    }
    return true;
  }

  String usage() {
    StringBuilder out = new StringBuilder("usage: " + program + " [flags]\n\nflags:\n");
    for (Flag flag : declared.values()) {
      out.append(String.format("  %-26s %s", "--" + flag.name() + (flag.isSwitch() ? "" : " VALUE"), flag.help()));
      if (!flag.defaultValue().isEmpty() && !flag.isSwitch()) {
        out.append(" (default: ").append(flag.defaultValue()).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  String string(String name) {
    Flag flag = declared.get(name);
    if (flag == null) {
      throw new IllegalStateException("flag not declared: " + name);
    }
    return given.getOrDefault(name, flag.defaultValue());
  }

  /** A switch: true when given alone or as {@code --name=true}. */
  boolean bool(String name) {
    return switch (string(name).trim().toLowerCase()) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException("flag --" + name + " needs true or false, got '" + string(name) + "'");
    };
  }

  long number(String name) {
    String value = string(name).trim().toLowerCase();
    long unit = 1;
    if (value.endsWith("k")) {
      unit = 1L << 10;
    } else if (value.endsWith("m")) {
      unit = 1L << 20;
    }
    String digits = unit == 1 ? value : value.substring(0, value.length() - 1);
    try {
      return Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("flag --" + name + " needs a number, got '" + string(name) + "'");
    }
  }
}
