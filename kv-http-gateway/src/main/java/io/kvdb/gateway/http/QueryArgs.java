package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The query parameters of one request, checked strictly: an unknown or repeated parameter is a 400,
 * because a typo such as {@code ?limt=10} would otherwise be silently ignored.
 */
public final class QueryArgs {
  private final QueryParams params;

  private QueryArgs(QueryParams params) {
    this.params = params;
  }

  /**
   * The request's query parameters, refusing escapes that are not UTF-8, names outside
   * {@code allowed} and repeated names.
   */
  public static QueryArgs of(ServiceRequestContext ctx, Set<String> allowed) {
    checkEscapes(ctx.query());
    QueryParams params = ctx.queryParams();
    for (String name : params.names()) {
      if (!allowed.contains(name)) {
        throw badRequest("unknown query parameter '" + name + "'; this endpoint takes "
            + (allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().sorted().toList())));
      }
      if (params.getAll(name).size() > 1) {
        throw badRequest("query parameter '" + name + "' is given more than once");
      }
    }
    return new QueryArgs(params);
  }

  /**
   * Armeria decodes an escape that is not UTF-8 ({@code %FF}) to U+FFFD; a prefix or cursor made of
   * that would silently list other keys than the client meant, so such a query is refused. A real
   * U+FFFD ({@code %EF%BF%BD}) is valid UTF-8 and passes.
   */
  private static void checkEscapes(String rawQuery) {
    if (rawQuery == null || rawQuery.indexOf('%') < 0) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawQuery.length());
    for (int i = 0; i < rawQuery.length(); i++) {
      char c = rawQuery.charAt(i);
      if (c == '%' && i + 2 < rawQuery.length() && isHex(rawQuery.charAt(i + 1)) && isHex(rawQuery.charAt(i + 2))) {
        bytes.write(HexFormat.fromHexDigits(rawQuery, i + 1, i + 3));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray()));
    } catch (CharacterCodingException e) {
      throw badRequest("the query string is not valid percent-encoded UTF-8 (an escape such as %FF is not a UTF-8 "
          + "byte sequence)");
    }
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }

  public Optional<String> string(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** A whole number in {@code min..max}, if given. */
  public Optional<Long> number(String name, long min, long max) {
    String text = params.get(name);
    if (text == null) {
      return Optional.empty();
    }
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw badRequest("query parameter '" + name + "' must be a whole number, got '" + text + "'");
    }
    if (value < min || value > max) {
      throw badRequest("query parameter '" + name + "' must be in " + min + ".." + max + ", got " + value);
    }
    return Optional.of(value);
  }

  /** {@code ?min_acks=N} of a write: wait for N followers (0: do not wait). */
  public int minAcks() {
    return number("min_acks", 0, Integer.MAX_VALUE).orElse(0L).intValue();
  }

  /** {@code ?timeout_ms=T} of a write: wait for acks at most T ms (0: the leader's default). */
  public Duration ackTimeout() {
    return Duration.ofMillis(number("timeout_ms", 0, Integer.MAX_VALUE).orElse(0L));
  }

  /** {@code ?expected_version=N} of a delete: only if the key's version is N (compare-and-set). */
  public OptionalLong expectedVersion() {
    Optional<Long> version = number("expected_version", 0, Long.MAX_VALUE);
    return version.isPresent() ? OptionalLong.of(version.get()) : OptionalLong.empty();
  }

  /** The query parameters of a write: {@code min_acks}, {@code timeout_ms}. */
  public static final Set<String> WRITE_PARAMS = Set.of("min_acks", "timeout_ms");
  /** The query parameters of a delete: a write's, and {@code expected_version}. */
  public static final Set<String> DELETE_PARAMS = Set.of("min_acks", "timeout_ms", "expected_version");
}
