package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.core.config.Limits;
import io.kvdb.system.KvModel.Rpc;
import io.kvdb.testing.RawGrpc;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the leader's KV API over real gRPC with seeded adversarial input: keys and values at and
 * past every limit, odd Unicode, invalid UTF-8, truncated and mangled messages, random bytes,
 * messages past --max-message-bytes, List with odd prefixes, cursors and limits. Every reply must be
 * exactly the status the contract gives (so never INTERNAL or UNKNOWN) with a description, OK
 * replies must carry what a reference copy of the data holds, batches of requests that must all be
 * refused leave the shard digests unchanged, and the leader keeps serving throughout.
 *
 * <p>Run longer or with another seed: {@code -Dkvdb.fuzz.seconds=60 -Dkvdb.fuzz.seed=7}.
 */
@Timeout(300)
class GrpcFuzzIT {
  // Small limits (set by flag) make inputs at and past them cheap; the checks are the same.
  private static final Limits LIMITS = new Limits(128, 2048, 4096, 20, 20);
  private static final int REPLICATION_FACTOR = 1;
  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE4, (byte) 0xB8},
    {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80}
  };

  @TempDir Path dir;

  private final long seed = Long.getLong("kvdb.fuzz.seed", 20240611L);
  private final long budgetMs = Long.getLong("kvdb.fuzz.seconds", Scale.current().fuzzSeconds() * 2 / 5) * 1000;
  private final Random random = new Random(seed);
  private final FuzzInputs inputs = new FuzzInputs(random, LIMITS.maxKeyBytes(), LIMITS.maxValueBytes());
  private static final int SHARDS = 8;
  private final KvModel model = new KvModel(LIMITS, REPLICATION_FACTOR, SHARDS);
  private final Map<Status.Code, Integer> tally = new EnumMap<>(Status.Code.class);
  private TestCluster cluster;

  /** One request as sent: which RPC, its bytes, and a short description for failure messages. */
  private record Input(Rpc rpc, byte[] bytes, String what) {}

  @Test
  void everyInputGetsItsDocumentedStatusAndRefusedOnesChangeNothing() throws Exception {
    try (TestCluster started = new TestCluster(dir, "--shards", String.valueOf(SHARDS), "--durability", "async",
        "--max-key-bytes", Integer.toString(LIMITS.maxKeyBytes()),
        "--max-value-bytes", Integer.toString(LIMITS.maxValueBytes()),
        "--max-message-bytes", Integer.toString(LIMITS.maxMessageBytes()),
        "--max-page-size", Integer.toString(LIMITS.maxPageSize()), "--ack-timeout-ms", "20")) {
      cluster = started.startLeader();
      long start = System.nanoTime();
      long deadline = start + budgetMs * 1_000_000;
      int refusedBatches = 0;
      for (int round = 0; round < 100_000 && System.nanoTime() < deadline; round++) {
        if (round % 3 == 0) {
          refusedBatch(40);
          refusedBatches++;
        } else {
          for (int i = 0; i < 100; i++) {
            send(anyInput());
          }
        }
        assertTrue(cluster.leader().isAlive(), "the leader is still running");
      }
      int pages = model.assertLeaderHoldsTheSame(cluster.leaderChannel());
      int tried = tally.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf("gRPC fuzz: %d inputs in %.1f s (seed %d), replies %s; %d all-refused batches left the"
          + " digests unchanged; %d keys held, equal to the reference in %d List pages%n", tried,
          (System.nanoTime() - start) / 1e9, seed, tally, refusedBatches, model.size(), pages);
      assertTrue(tally.getOrDefault(Status.Code.OK, 0) > 0 && tally.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > 0
          && tally.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0) > 0 && tally.getOrDefault(Status.Code.NOT_FOUND, 0) > 0,
          "the inputs reached every outcome: " + tally);
    }
  }

  /** Requests that must all be refused: the shard digests (seq, keys, digest) do not move. */
  private void refusedBatch(int size) throws InvalidProtocolBufferException {
    ShardDigestsResponse before = digests();
    for (int i = 0; i < size; i++) {
      Input input = refusedInput();
      assertNotEquals(Status.Code.OK, model.expect(input.rpc(), input.bytes()), "the generator made " + input.what());
      send(input);
    }
    assertEquals(before, digests(), "refused requests changed nothing");
  }

  private void send(Input input) throws InvalidProtocolBufferException {
    Status.Code expected = model.expect(input.rpc(), input.bytes());
    byte[] reply = null;
    Status status = Status.OK;
    try {
      reply = RawGrpc.call(cluster.leaderChannel(), method(input.rpc()), input.bytes());
    } catch (StatusRuntimeException e) {
      status = e.getStatus();
    }
    tally.merge(status.getCode(), 1, Integer::sum);
    Status actual = status;
    assertEquals(expected, actual.getCode(), () -> input.what() + " was answered " + actual);
    if (reply == null) {
      assertFalse(actual.getDescription() == null || actual.getDescription().isBlank(),
          () -> input.what() + ": an error says what is wrong, got " + actual);
    } else {
      model.accepted(input.rpc(), input.bytes(), reply);
    }
  }

  private Input anyInput() {
    return switch (random.nextInt(20)) {
      case 0, 1, 2, 3, 4, 5 -> put(inputs.key(), inputs.value(), waitForAcks());
      case 6, 7, 8 -> delete(inputs.key());
      case 9, 10, 11 -> get(inputs.key());
      case 12, 13, 14 -> list();
      case 15 -> invalidUtf8();
      case 16, 17 -> mangled(anyTyped());
      case 18 -> new Input(Rpc.values()[random.nextInt(4)], inputs.bytes(64), "random bytes");
      default -> oversized();
    };
  }

  private Input refusedInput() {
    return switch (random.nextInt(8)) {
      case 0 -> put(inputs.invalidKey(), new byte[1], WaitForAcks.getDefaultInstance());
      case 1 -> put(inputs.validKey(), new byte[LIMITS.maxValueBytes() + 1 + random.nextInt(64)],
          WaitForAcks.getDefaultInstance());
      case 2 -> put(inputs.validKey(), new byte[1],
          WaitForAcks.newBuilder().setMinAcks(random.nextBoolean() ? REPLICATION_FACTOR + 1 : -1).build());
      case 3 -> delete(random.nextBoolean() ? inputs.invalidKey() : "absent/" + random.nextInt());
      case 4 -> invalidUtf8();
      case 5 -> oversized();
      default -> {
        Input input;
        do {
          input = mangled(anyTyped());
        } while (model.expect(input.rpc(), input.bytes()) == Status.Code.OK);
        yield input;
      }
    };
  }

  private Input anyTyped() {
    return switch (random.nextInt(4)) {
      case 0 -> put(inputs.key(), inputs.value(), waitForAcks());
      case 1 -> delete(inputs.key());
      case 2 -> get(inputs.key());
      default -> list();
    };
  }

  private Input put(String key, byte[] value, WaitForAcks wait) {
    PutRequest request = PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)).setWait(wait).build();
    return new Input(Rpc.PUT, request.toByteArray(), "Put key " + KvModel.abbreviate(key) + " value of "
        + value.length + " bytes, " + wait.toString().replace('\n', ' '));
  }

  private Input delete(String key) {
    return new Input(Rpc.DELETE, DeleteRequest.newBuilder().setKey(key).setWait(waitForAcks()).build().toByteArray(),
        "Delete key " + KvModel.abbreviate(key));
  }

  private Input get(String key) {
    return new Input(Rpc.GET, GetRequest.newBuilder().setKey(key).build().toByteArray(),
        "Get key " + KvModel.abbreviate(key));
  }

  private Input list() {
    ListRequest request = ListRequest.newBuilder().setPrefix(inputs.prefix())
        .setStartAfter(random.nextInt(3) == 0 ? inputs.prefix() : "")
        .setLimit(inputs.pageLimit(LIMITS.maxPageSize())).setKeysOnly(random.nextBoolean()).build();
    return new Input(Rpc.LIST, request.toByteArray(), "List " + KvModel.abbreviate(request.toString()));
  }

  /**
   * Occasionally asks for follower acks: min_acks at, over and far over R (as uint32). The longest
   * timeout (2^32 - 1 ms) comes only with requests that do not wait: this leader has no follower, so
   * a valid wait lasts its whole timeout.
   */
  private WaitForAcks waitForAcks() {
    if (random.nextInt(4) != 0) {
      return WaitForAcks.getDefaultInstance();
    }
    int minAcks = inputs.uint32(REPLICATION_FACTOR + 1);
    boolean waits = minAcks > 0 && minAcks <= REPLICATION_FACTOR;
    int[] timeouts = waits ? new int[] {0, 1, 20} : new int[] {0, 1, 20, -1};
    return WaitForAcks.newBuilder().setMinAcks(minAcks).setTimeoutMs(timeouts[random.nextInt(timeouts.length)]).build();
  }

  /** Field 1 (a string in every KV request) holding bytes that are not UTF-8. */
  private Input invalidUtf8() {
    byte[] bad = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    text.writeBytes(new byte[] {'k', 'e', 'y'});
    text.writeBytes(bad);
    text.writeBytes(new byte[] {'!'});
    byte[] field = text.toByteArray();
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    message.write(0x0A); // field 1, length-delimited
    message.write(field.length);
    message.writeBytes(field);
    Rpc rpc = Rpc.values()[random.nextInt(4)];
    return new Input(rpc, message.toByteArray(), rpc + " with invalid UTF-8 " + java.util.HexFormat.of().formatHex(bad));
  }

  /** A real request truncated, with flipped bits, or with a huge length prefix. */
  private Input mangled(Input input) {
    byte[] bytes = input.bytes().clone();
    String how;
    if (bytes.length > 1 && random.nextBoolean()) {
      int cut = 1 + random.nextInt(bytes.length - 1);
      bytes = java.util.Arrays.copyOf(bytes, cut);
      how = "truncated to " + cut + " bytes";
    } else if (bytes.length > 0 && random.nextBoolean()) {
      int at = random.nextInt(bytes.length);
      bytes[at] ^= (byte) (1 << random.nextInt(8));
      how = "bit flipped at " + at;
    } else {
      byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 6);
      longer[bytes.length] = 0x12; // field 2, length-delimited, with a length far past the end
      longer[bytes.length + 1] = (byte) 0xFF;
      longer[bytes.length + 2] = (byte) 0xFF;
      longer[bytes.length + 3] = (byte) 0xFF;
      longer[bytes.length + 4] = (byte) 0xFF;
      longer[bytes.length + 5] = 0x07;
      bytes = longer;
      how = "with a huge length prefix";
    }
    return new Input(input.rpc(), bytes, input.what() + ", " + how);
  }

  /** A Put past --max-message-bytes: refused by the transport before it is read. */
  private Input oversized() {
    byte[] value = new byte[LIMITS.maxMessageBytes() + random.nextInt(LIMITS.maxMessageBytes())];
    return put("big", value, WaitForAcks.getDefaultInstance());
  }

  private ShardDigestsResponse digests() {
    return cluster.cluster().shardDigests(ShardDigestsRequest.getDefaultInstance());
  }

  private static MethodDescriptor<?, ?> method(Rpc rpc) {
    return switch (rpc) {
      case PUT -> KVGrpc.getPutMethod();
      case GET -> KVGrpc.getGetMethod();
      case DELETE -> KVGrpc.getDeleteMethod();
      case LIST -> KVGrpc.getListMethod();
    };
  }
}
