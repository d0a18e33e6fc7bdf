package io.kvdb.cli;

import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.BatchResult;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.BatchJson;
import io.kvdb.client.KvClient;
import io.kvdb.client.VersionConflictException;
import io.kvdb.common.process.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kv batch FILE} ({@code -}: stdin): the batch in FILE's JSON ({@link BatchJson}, the body of
 * {@code POST /batch}), applied atomically. Prints {@code OK revision=R} and one line per op; a
 * failed condition prints {@code CONFLICT failed_index=I current_version=V} and exits 4, as a
 * compare-and-set of put does; nothing was written then. A file that is not a batch exits 2. With
 * {@code --json}, the reply as {@code POST /batch} answers it ({@code {"revision", "epoch",
 * "results": [{"shard", "seq", "version", "found"}]}}), and a conflict as the JSON error of a
 * compare-and-set, with {@code "failed_index"} and {@code "current_version"}.
 */
final class BatchCommand {
  static final String USAGE = "batch FILE (a JSON batch; -: read stdin)";

  private final KvClient leader;
  private final InputStream in;
  private final Output output;

  BatchCommand(KvClient leader, InputStream in, Output output) {
    this.leader = leader;
    this.in = in;
    this.output = output;
  }

  int run(List<String> operands) {
    if (operands.size() != 1) {
      throw new KvCli.UsageException(USAGE);
    }
    BatchRequest batch;
    try {
      batch = BatchJson.parse(read(operands.get(0)));
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException("batch: " + e.getMessage());
    }
    BatchResponse reply;
    try {
      reply = leader.batch(batch);
    } catch (VersionConflictException e) {
      if (output.json()) {
        return output.failed(ExitCodes.UNAVAILABLE, e, "", ""); // its ErrorInfo carries failed_index, current_version
      }
      output.err().println("kv: " + KvCli.describe(e.status()));
      output.out().println("CONFLICT failed_index=" + e.failedIndex().orElse(-1) + " current_version="
          + e.currentVersion());
      return ExitCodes.UNAVAILABLE;
    }
    if (output.json()) {
      output.print(new JsonObject().putFields(reply));
      return ExitCodes.OK;
    }
    PrintStream out = output.out();
    out.println("OK revision=" + reply.getRevision());
    for (int i = 0; i < reply.getResultsCount(); i++) {
      BatchOp op = batch.getOps(i);
      BatchResult result = reply.getResults(i);
      String name = op.hasPut() ? "put " + op.getPut().getKey() : "delete " + op.getDelete().getKey();
      out.println(result.getFound()
          ? name + " shard=" + result.getShard() + " seq=" + result.getSeq() + " version=" + result.getVersion()
          : name + " not found (nothing to delete)");
    }
    return ExitCodes.OK;
  }

  private String read(String file) {
    try {
      byte[] bytes = file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new KvCli.UsageException("batch: cannot read " + (file.equals("-") ? "stdin" : file) + ": " + e);
    }
  }
}
