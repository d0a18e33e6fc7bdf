package io.kvdb.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line of every kvdb process (leader, follower, gateway, CLI), read by picocli with one
 * set of rules: {@code --name value} or {@code --name=value}; a boolean flag alone means true, or
 * takes {@code true}/{@code false}/{@code yes}/{@code no}/{@code 1}/{@code 0} (any case) after
 * {@code =}; numbers take the size suffixes k, m, g (KiB, MiB, GiB); the last of a repeated flag
 * wins; {@code --help} or {@code -h} anywhere asks for the usage. Every flag is declared with its
 * default and help text, so {@code --help} lists them all and a wrong flag or value is an
 * {@link IllegalArgumentException} that names the flag (the mains exit 2 with it).
 *
 * <p>A program that takes operands says so with {@link #operands} (keygen: a dir and names), or
 * with {@link #operandsWithTheirFlags} when its commands have flags of their own (the CLI:
 * {@code put KEY VALUE --wait 1}): everything that is not one of its declared flags is then an
 * operand, in order. {@code --} ends the flags.
 */
public final class Flags {
  private final String program;
  private final Map<String, Flag> declared = new LinkedHashMap<>();
  private final Map<String, String> given = new LinkedHashMap<>();
  private final List<String> operands = new ArrayList<>();
  /** What the operands are, for the usage line; null: the program takes none. */
  private String operandsLabel;
  /** Whether flags that are not declared are operands (of a command) rather than mistakes. */
  private boolean unknownFlagsAreOperands;

  private record Flag(String name, String defaultValue, String help, boolean isBoolean) {}

  public Flags(String program) {
    this.program = program;
  }

  /** A flag that takes a value, {@code defaultValue} when not given ("" for none). */
  public Flags declare(String name, String defaultValue, String help) {
    return add(new Flag(name, defaultValue, help, false));
  }

  /** A flag that is false unless given; read it with {@link #bool}. */
  public Flags declareBoolean(String name, String help) {
    return add(new Flag(name, "false", help, true));
  }

  /**
   * Lets the program take operands, shown as {@code label} in the usage line (e.g.
   * {@code COMMAND [ARGS]}); read them with {@link #operands()}.
   */
  public Flags operands(String label) {
    operandsLabel = label;
    return this;
  }

  /**
   * Like {@link #operands}, for a program whose commands take flags of their own: a flag that is
   * not declared here is an operand too, left in its place for the command to read.
   */
  public Flags operandsWithTheirFlags(String label) {
    unknownFlagsAreOperands = true;
    return operands(label);
  }

  private Flags add(Flag flag) {
    if (declared.putIfAbsent(flag.name(), flag) != null || flag.name().equals("help")) {
      throw new IllegalStateException("flag declared twice: --" + flag.name());
    }
    return this;
  }

  /**
   * Parses {@code args}. Returns false when {@code --help} was asked: the caller then prints
   * {@link #usage()}. Help wins over unknown flags and stray arguments on the same line (not over a
   * flag that lacks its value or a bad boolean, which picocli meets first).
   *
   * @throws IllegalArgumentException for an unknown flag, a missing value, a bad boolean or an
   *     operand the program does not take, naming the flag or the argument
   */
  public boolean parse(String[] args) {
    given.clear();
    operands.clear();
    ParseResult result;
    try {
      result = new CommandLine(spec()).parseArgs(shortHelpAsLong(args));
    } catch (MissingParameterException e) {
      throw new IllegalArgumentException("flag " + nameOf(e.getMissing().get(0)) + " needs a value", e);
    } catch (ParameterException e) {
      Flag flag = e.getArgSpec() instanceof OptionSpec option ? declared.get(option.longestName().substring(2)) : null;
      if (flag != null && flag.isBoolean()) {
        throw new IllegalArgumentException(FlagValues.notABoolean("--" + flag.name(), e.getValue()), e);
      }
      throw new IllegalArgumentException(e.getMessage() + " (see --help)", e);
    }
    if (result.isUsageHelpRequested()) {
      return false;
    }
    if (!result.unmatched().isEmpty()) {
      String first = result.unmatched().get(0);
      throw new IllegalArgumentException(first.startsWith("-")
          ? "unknown flag " + first.split("=", 2)[0] + " (see --help)"
          : "unexpected argument '" + first + "' (flags start with --; see --help)");
    }
    for (Flag flag : declared.values()) {
      if (result.hasMatchedOption("--" + flag.name())) {
        Object value = result.matchedOptionValue("--" + flag.name(), null); // a String, or a Boolean
        given.put(flag.name(), String.valueOf(value));
      }
    }
    if (operandsLabel != null && result.hasMatchedPositional(0)) {
      operands.addAll(result.matchedPositional(0).getValue());
    }
    return true;
  }

  /** The picocli model of the declared flags; values are kept as text and converted when read. */
  private CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name(program);
    spec.interpolateVariables(false);
    spec.parser()
        .overwrittenOptionsAllowed(true)
        // Collected and reported by parse(), after --help has had its say.
        .unmatchedArgumentsAllowed(true)
        .unmatchedOptionsArePositionalParams(unknownFlagsAreOperands)
        .expandAtFiles(false)
        .posixClusteredShortOptionsAllowed(false);
    spec.addOption(OptionSpec.builder("--help").usageHelp(true).build());
    for (Flag flag : declared.values()) {
      OptionSpec.Builder option = OptionSpec.builder("--" + flag.name()).description(flag.help());
      if (flag.isBoolean()) {
        // 0..1: alone means true; a value is taken after '=' (and a bare true/false next to it).
        option.type(Boolean.class).arity("0..1").converters(FlagValues::parseBoolean);
      } else {
        option.type(String.class).arity("1").paramLabel("VALUE");
      }
      spec.addOption(option.build());
    }
    if (operandsLabel != null) {
      spec.addPositional(PositionalParamSpec.builder().type(List.class).auxiliaryTypes(String.class)
          .arity("0..*").paramLabel(operandsLabel).build());
    }
    return spec;
  }

  /**
   * {@code -h} becomes {@code --help} up to a {@code --}. Declared to picocli as a one-letter option,
   * it would make picocli take any operand starting with {@code -h} (a value "-hello") for an
   * unknown cluster of short options.
   */
  private static String[] shortHelpAsLong(String[] args) {
    String[] copy = args.clone();
    for (int i = 0; i < copy.length && !copy[i].equals("--"); i++) {
      if (copy[i].equals("-h")) {
        copy[i] = "--help";
      }
    }
    return copy;
  }

  private static String nameOf(ArgSpec spec) {
    return spec instanceof OptionSpec option ? option.longestName() : spec.paramLabel();
  }

  /** Every flag with its help and default, as {@code --help} prints it. */
  public String usage() {
    StringBuilder out = new StringBuilder("usage: " + program + " [flags]");
    if (operandsLabel != null) {
      out.append(' ').append(operandsLabel);
    }
    out.append("\n\nflags:\n");
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

  /** Whether {@code --name} was on the command line (with any value, the default's too). */
  public boolean isGiven(String name) {
    flag(name);
    return given.containsKey(name);
  }

  /** The value of {@code --name} as given, else its default. */
  public String string(String name) {
    return given.getOrDefault(name, flag(name).defaultValue());
  }

  /** The operands, in order; empty unless the program takes them ({@link #operands(String)}). */
  public List<String> operands() {
    return List.copyOf(operands);
  }

  /** The value split at commas, each part trimmed, empty parts dropped. */
  public List<String> list(String name) {
    List<String> values = new ArrayList<>();
    for (String part : string(name).split(",")) {
      if (!part.isBlank()) {
        values.add(part.trim());
      }
    }
    return values;
  }

  /**
   * The value as an int, size suffixes allowed.
   *
   * @throws IllegalArgumentException naming the flag when it is no number or does not fit an int
   */
  public int integer(String name) {
    long value = longValue(name);
    if (value != (int) value) {
      throw new IllegalArgumentException("flag --" + name + " is too large: " + string(name));
    }
    return (int) value;
  }

  /**
   * The value as a long, size suffixes allowed (64k, 1m, 2g).
   *
   * @throws IllegalArgumentException naming the flag when it is no number or does not fit a long
   */
  public long longValue(String name) {
    String value = string(name);
    try {
      return FlagValues.parseSize(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("flag --" + name + " needs a number, got '" + value + "'");
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("flag --" + name + " is too large: " + value);
    }
  }

  /**
   * The value in seconds, fractions allowed (0.5 is 500 ms).
   *
   * @throws IllegalArgumentException naming the flag when it is no number
   */
  public Duration seconds(String name) {
    String value = string(name);
    try {
      return Duration.ofNanos((long) (Double.parseDouble(value) * 1e9));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a number of seconds, got '" + value + "'");
    }
  }

  /**
   * The value as a boolean: true/false, yes/no, 1/0, any case.
   *
   * @throws IllegalArgumentException naming the flag for any other value
   */
  public boolean bool(String name) {
    String value = string(name);
    try {
      return FlagValues.parseBoolean(value);
    } catch (CommandLine.TypeConversionException e) {
      throw new IllegalArgumentException(FlagValues.notABoolean("--" + name, value), e);
    }
  }

  private Flag flag(String name) {
    Flag flag = declared.get(name);
    if (flag == null) {
      throw new IllegalStateException("flag not declared: " + name);
    }
    return flag;
  }
}
