package io.kvdb.cli;

import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.common.process.ExitCodes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code kv watch PREFIX [--from REV] [--prev]}: one line per change, until interrupted. Across a
 * leader restart it resumes from the last revision seen (kv-client's watch); a revision the leader
 * no longer has ends it with exit 1 and the reason. With {@code --json}, one object a line, the
 * progress notifications too.
 */
final class WatchCommand {
  static final String USAGE = "watch PREFIX [--from REV] [--prev]";
  private static final Duration RECONNECT_FOR = Duration.ofSeconds(30);

  private final KvClient leader;
  private final Output output;

  WatchCommand(KvClient leader, Output output) {
    this.leader = leader;
    this.output = output;
  }

  int run(List<String> operands) {
    if (operands.isEmpty() || operands.get(0).startsWith("--")) {
      throw new KvCli.UsageException(USAGE);
    }
    WatchRequest.Builder request = WatchRequest.newBuilder().setPrefix(operands.get(0));
    for (int i = 1; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--from" -> request.setFromRevision(revision(operands, ++i));
        case "--prev" -> request.setPrev(true);
        default -> throw new KvCli.UsageException(USAGE);
      }
    }
    PrintStream out = output.out();
    try {
      leader.watch(request.build(), RECONNECT_FOR, message -> {
        if (output.json()) {
          output.print(json(message));
        } else if (message.hasEvent()) {
          out.println(text(message.getEvent()));
        }
        out.flush();
        return !out.checkError();
      });
      return ExitCodes.OK;
    } catch (KvException e) {
      return output.failed(ExitCodes.FAILED, e, "watch ended: ", "");
    }
  }

  private static long revision(List<String> operands, int i) {
    try {
      return Long.parseUnsignedLong(operands.get(i));
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new KvCli.UsageException("--from needs a revision (a number >= 0)");
    }
  }

  /** "put REV KEY VALUE" or "delete REV KEY", then "prev_version=N prev_value=V" when the change has them. */
  static String text(WatchEvent event) {
    StringBuilder line = new StringBuilder(event.getType() == WatchEvent.Type.PUT ? "put " : "delete ")
        .append(event.getRevision()).append(' ').append(event.getKey());
    if (event.getType() == WatchEvent.Type.PUT) {
      line.append(' ').append(Commands.printable(event.getValue()));
    }
    if (event.getPrevVersion() != 0) {
      line.append(" prev_version=").append(event.getPrevVersion())
          .append(" prev_value=").append(Commands.printable(event.getPrevValue()));
    }
    return line.toString();
  }

  /**
   * {"type": "progress", "revision"}, or {"type": "put"|"delete", "revision", "key", "value",
   * "encoding", "expires_at_ms" (a put with a TTL), "prev_value", "prev_encoding", "prev_version"
   * (with --prev, when known)}.
   */
  static JsonObject json(WatchResponse message) {
    if (!message.hasEvent()) {
      return new JsonObject().put("type", "progress").put("revision", message.getProgress().getRevision());
    }
    WatchEvent event = message.getEvent();
    boolean put = event.getType() == WatchEvent.Type.PUT;
    JsonObject json = new JsonObject().put("type", put ? "put" : "delete").put("revision", event.getRevision())
        .put("key", event.getKey());
    if (put) {
      json.putValue(event.getValue());
      if (event.getExpiresAtMs() != 0) {
        json.put("expires_at_ms", event.getExpiresAtMs());
      }
    }
    if (event.getPrevVersion() != 0) {
      json.putValue("prev_value", "prev_encoding", event.getPrevValue()).put("prev_version", event.getPrevVersion());
    }
    return json;
  }
}
