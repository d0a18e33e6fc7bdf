package io.kvdb.cli;

import com.google.rpc.ErrorInfo;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.KvException;
import io.kvdb.common.errors.ErrorReasons;
import java.io.PrintStream;
import java.util.Map;

/**
 * Where a command's answer goes. As text for people by default; with {@code --json}, as JSON on
 * stdout: one object for a command's answer or error, one object per line for a listing. Errors
 * are then {@code {"error": "...", "code": "..."}} on stdout instead of a {@code kv: ...} line on
 * stderr, with the same exit code. What is said for people alongside (progress, which follower
 * answered) goes to stderr in both modes.
 *
 * <p>The codes: a gRPC status code name when the server refused or could not be reached
 * ({@code UNAVAILABLE}, {@code UNAUTHENTICATED}, {@code FAILED_PRECONDITION}...), with
 * {@code "reason"} and the metadata of the server's {@code ErrorInfo} beside it when it gave one;
 * {@code USAGE} for a command line that does not fit; {@code NOT_FOUND} for a missing key; and
 * those of single commands, named in the README.
 */
final class Output {
  /** The code of a command line that does not fit the usage (exit 2). */
  static final String USAGE = "USAGE";
  /** The code of a key that does not exist (exit 1). */
  static final String NOT_FOUND = "NOT_FOUND";

  private final boolean json;
  private final PrintStream out;
  private final PrintStream err;

  Output(boolean json, PrintStream out, PrintStream err) {
    this.json = json;
    this.out = out;
    this.err = err;
  }

  /** Whether {@code --json} was asked. */
  boolean json() {
    return json;
  }

  /** Standard output, for the text of an answer. */
  PrintStream out() {
    return out;
  }

  /** Standard error, for what is said for people: progress, notes, text-mode errors. */
  PrintStream err() {
    return err;
  }

  /** {@code object} on one line of stdout (JSON mode). */
  void print(JsonObject object) {
    out.println(object);
  }

  /**
   * An error: {@code kv: message} on stderr, or with --json {@code {"error": message, "code": code}}
   * and the fields of {@code details} on stdout. Returns {@code exitCode}.
   */
  int error(int exitCode, String code, String message, JsonObject details) {
    if (json) {
      JsonObject object = new JsonObject().put("error", message).put("code", code);
      object.putAll(details);
      print(object);
    } else {
      err.println("kv: " + message);
    }
    return exitCode;
  }

  /** {@link #error(int, String, String, JsonObject)} without details. */
  int error(int exitCode, String code, String message) {
    return error(exitCode, code, message, new JsonObject());
  }

  /**
   * A failed call: {@code kv: CODE: description (hint)}, or with --json its code, its description
   * and hint as the error, and the server's ErrorInfo (reason, metadata) beside them. Metadata
   * values that are decimal integers or true/false are written as JSON numbers and booleans, as the
   * HTTP API writes the same facts ({@code applied_seq}, {@code stale}).
   */
  int failed(int exitCode, KvException e, String prefix, String hint) {
    if (!json) {
      err.println("kv: " + prefix + KvCli.describe(e.status()) + hint);
      return exitCode;
    }
    JsonObject details = new JsonObject();
    ErrorReasons.infoOf(e).ifPresent(info -> describe(info, details));
    return error(exitCode, e.code().name(), prefix + KvCli.description(e.status()) + hint, details);
  }

  private static void describe(ErrorInfo info, JsonObject details) {
    details.put("reason", info.getReason());
    for (Map.Entry<String, String> entry : info.getMetadataMap().entrySet()) {
      details.put(entry.getKey(), typed(entry.getValue()));
    }
  }

  private static Object typed(String text) {
    if (text.equals("true") || text.equals("false")) {
      return Boolean.valueOf(text);
    }
    if (text.matches("-?(0|[1-9][0-9]{0,17})")) {
      return Long.valueOf(text);
    }
    return text;
  }
}
