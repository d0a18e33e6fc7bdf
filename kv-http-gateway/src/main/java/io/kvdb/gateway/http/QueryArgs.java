package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.linecorp.armeria.common.QueryParams;
import io.kvdb.api.v1.WaitForAcks;
import java.util.Optional;
import java.util.Set;

/**
 * The query parameters of one request, checked strictly: an unknown or repeated parameter is a 400,
 * because a typo such as {@code ?limt=10} would otherwise be silently ignored.
 */
final class QueryArgs {
  private final QueryParams params;

  private QueryArgs(QueryParams params) {
    this.params = params;
  }

  /** Wraps {@code params}, refusing names outside {@code allowed} and repeated names. */
  static QueryArgs of(QueryParams params, Set<String> allowed) {
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

  Optional<String> string(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** A whole number in {@code min..max}, if given. */
  Optional<Long> number(String name, long min, long max) {
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

  /** {@code ?min_acks=N&timeout_ms=T} of a write: wait for N followers, at most T ms. */
  WaitForAcks waitForAcks() {
    return WaitForAcks.newBuilder()
        .setMinAcks(number("min_acks", 0, Integer.MAX_VALUE).orElse(0L).intValue())
        .setTimeoutMs(number("timeout_ms", 0, Integer.MAX_VALUE).orElse(0L).intValue())
        .build();
  }

  static final Set<String> WRITE_PARAMS = Set.of("min_acks", "timeout_ms");
}
