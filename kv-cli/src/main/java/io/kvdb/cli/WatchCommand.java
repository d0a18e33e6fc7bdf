package io.kvdb.cli;

import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.common.process.ExitCodes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code kv watch PREFIX [--from REV] [--json]}: one line per change, until interrupted. Across a
 * leader restart it resumes from the last revision seen (kv-client's watch); a revision the leader
 * no longer has ends it with exit 1 and the reason.
 */
final class WatchCommand {
  private static final String USAGE = "watch PREFIX [--from REV] [--json]";
  private static final Duration RECONNECT_FOR = Duration.ofSeconds(30);

  private final KvClient leader;
  private final PrintStream out;
  private final PrintStream err;

  WatchCommand(KvClient leader, PrintStream out, PrintStream err) {
    this.leader = leader;
    this.out = out;
    this.err = err;
  }

  int run(List<String> operands) {
    if (operands.isEmpty()) {
      throw new KvCli.UsageException(USAGE);
    }
    WatchRequest.Builder request = WatchRequest.newBuilder().setPrefix(operands.get(0));
    boolean json = false;
    for (int i = 1; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--from" -> request.setFromRevision(revision(operands, ++i));
        case "--json" -> json = true;
        default -> throw new KvCli.UsageException(USAGE);
      }
    }
    boolean asJson = json;
    try {
      leader.watch(request.build(), RECONNECT_FOR, message -> {
        String line = asJson ? json(message) : text(message);
        if (line != null) {
          out.println(line);
          out.flush();
        }
        return !out.checkError();
      });
      return ExitCodes.OK;
    } catch (KvException e) {
      err.println("kv: watch ended: " + e.getMessage() + e.reason().map(r -> " (" + r + ")").orElse(""));
      return ExitCodes.FAILED;
    }
  }

  private static long revision(List<String> operands, int i) {
    try {
      return Long.parseUnsignedLong(operands.get(i));
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new KvCli.UsageException("--from needs a revision (a number >= 0)");
    }
  }

  /** "put REV KEY VALUE" or "delete REV KEY"; progress is not printed. */
  static String text(WatchResponse message) {
    if (!message.hasEvent()) {
      return null;
    }
    WatchEvent event = message.getEvent();
    return event.getType() == WatchEvent.Type.PUT
        ? "put " + event.getRevision() + " " + event.getKey() + " " + Commands.printable(event.getValue())
        : "delete " + event.getRevision() + " " + event.getKey();
  }

  /** One JSON object a line: {"type": "put"|"delete"|"progress", "revision", "key", "value"}. */
  static String json(WatchResponse message) {
    if (!message.hasEvent()) {
      return "{\"type\":\"progress\",\"revision\":" + message.getProgress().getRevision() + "}";
    }
    WatchEvent event = message.getEvent();
    StringBuilder line = new StringBuilder("{\"type\":\"")
        .append(event.getType() == WatchEvent.Type.PUT ? "put" : "delete")
        .append("\",\"revision\":").append(event.getRevision())
        .append(",\"key\":").append(quote(event.getKey()));
    if (event.getType() == WatchEvent.Type.PUT) {
      line.append(",\"value\":").append(quote(Commands.printable(event.getValue())));
    }
    return line.append('}').toString();
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
