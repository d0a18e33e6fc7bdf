package io.kvdb.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The commands of {@link KvCli}, each a call or two on the leader's gRPC API. */
final class Commands {
  private final ManagedChannel channel;
  private final Connection connection;
  private final PrintStream out;
  private final PrintStream err;

  Commands(ManagedChannel channel, Connection connection, PrintStream out, PrintStream err) {
    this.channel = channel;
    this.connection = connection;
    this.out = out;
    this.err = err;
  }

  int run(List<String> args) {
    String command = args.get(0);
    List<String> operands = args.subList(1, args.size());
    return switch (command) {
      case "put" -> put(operands);
      case "get" -> get(one(operands, "get KEY"));
      case "delete", "del" -> delete(one(operands, "delete KEY"));
      case "list", "ls" -> list(operands);
      case "status" -> status();
      case "verify" -> new Verify(channel, connection, out, err).run();
      case "bench" -> new Bench(channel, out).run(operands);
      default -> throw new KvCli.UsageException("unknown command '" + command + "'");
    };
  }

  private int put(List<String> operands) {
    if (operands.size() != 2 && !(operands.size() == 4 && operands.get(2).equals("--wait"))) {
      throw new KvCli.UsageException("put KEY VALUE [--wait N]");
    }
    PutRequest.Builder put = PutRequest.newBuilder().setKey(operands.get(0))
        .setValue(ByteString.copyFromUtf8(operands.get(1)));
    if (operands.size() == 4) {
      put.setWait(WaitForAcks.newBuilder().setMinAcks(number(operands.get(3), "--wait")));
    }
    WriteResponse reply = kv().put(put.build());
    out.printf("OK shard=%d seq=%d followers=%s%s%n", reply.getShard(), reply.getSeq(), reply.getFollowersList(),
        operands.size() == 4 ? " acks=" + reply.getAcks() : "");
    return 0;
  }

  private int get(String key) {
    try {
      out.println(printable(kv().get(GetRequest.newBuilder().setKey(key).build()).getValue()));
      return 0;
    } catch (StatusRuntimeException e) {
      return notFoundOrThrow(e, key);
    }
  }

  private int delete(String key) {
    try {
      WriteResponse reply = kv().delete(DeleteRequest.newBuilder().setKey(key).build());
      out.printf("OK shard=%d seq=%d%n", reply.getShard(), reply.getSeq());
      return 0;
    } catch (StatusRuntimeException e) {
      return notFoundOrThrow(e, key);
    }
  }

  private int list(List<String> operands) {
    String prefix = "";
    long limit = Long.MAX_VALUE;
    for (int i = 0; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--prefix" -> prefix = value(operands, ++i, "--prefix");
        case "--limit" -> limit = number(value(operands, ++i, "--limit"), "--limit");
        default -> throw new KvCli.UsageException("list [--prefix P] [--limit N]");
      }
    }
    String after = "";
    long printed = 0;
    while (printed < limit) {
      ListResponse page = kv().list(ListRequest.newBuilder().setPrefix(prefix).setStartAfter(after)
          .setLimit((int) Math.min(1000, limit - printed)).build());
      for (KeyValue item : page.getItemsList()) {
        out.println(item.getKey() + "\t" + printable(item.getValue()));
        printed++;
      }
      if (!page.getHasMore()) {
        break;
      }
      after = page.getNextStartAfter();
    }
    return 0;
  }

  private int status() {
    StatusResponse status = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
    out.printf("leader %s epoch %d: %d shards, R=%d, %d keys, %d writes, %s, placement v%d%n", status.getLeaderId(),
        status.getEpoch(), status.getShards(), status.getReplicationFactor(), status.getKeys(),
        status.getHeadSeqTotal(), status.getDurable() ? "durable (fsync)" : "async", status.getAssignmentVersion());
    if (status.getUnplacedShardsCount() > 0) {
      out.printf("shards with no live follower: %s%n", status.getUnplacedShardsList());
    }
    out.printf("%-20s %-22s %-6s %6s %10s %10s %10s%n", "FOLLOWER", "ADDRESS", "ALIVE", "SHARDS", "APPLIED",
        "LAG", "LAG_MS");
    for (FollowerInfo f : status.getFollowersList()) {
      out.printf("%-20s %-22s %-6s %6d %10d %10d %10d%n", f.getId(), f.getAddress(), f.getAlive() ? "yes" : "no",
          f.getShardsCount(), f.getAppliedTotal(), f.getLagEvents(), f.getLagMs());
    }
    return 0;
  }

  private KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private int notFoundOrThrow(StatusRuntimeException e, String key) {
    if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
      err.println("kv: not found: " + key);
      return 1;
    }
    throw e;
  }

  /** The value as text when it is UTF-8, else "base64:" and its base64 (lossless either way). */
  static String printable(ByteString value) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(value.toByteArray());
    }
  }

  private static String one(List<String> operands, String usage) {
    if (operands.size() != 1) {
      throw new KvCli.UsageException(usage);
    }
    return operands.get(0);
  }

  private static String value(List<String> operands, int index, String flag) {
    if (index >= operands.size()) {
      throw new KvCli.UsageException(flag + " needs a value");
    }
    return operands.get(index);
  }

  static int number(String text, String flag) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new KvCli.UsageException(flag + " needs a number, got '" + text + "'");
    }
  }
}
