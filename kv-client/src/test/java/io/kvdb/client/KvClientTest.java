package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KvClient against the leader's real services on a real LevelDB, in-process. */
@Timeout(60)
class KvClientTest {
  private static final String GET = KVGrpc.getGetMethod().getFullMethodName();
  private static final String PUT = KVGrpc.getPutMethod().getFullMethodName();
  private static final String LIST = KVGrpc.getListMethod().getFullMethodName();

  @TempDir Path dir;
  private LeaderUnderTest leader;
  private KvClient client;

  @BeforeEach
  void start() {
    leader = new LeaderUnderTest(dir, GrpcSecurity.NONE);
    // Quick retries, so that the retry tests do not wait long.
    client = KvClient.over(leader.channel(), KvOptions.DEFAULT.withReadRetries(3, Duration.ofMillis(5)));
  }

  @AfterEach
  void stop() throws Exception {
    leader.close();
  }

  @Test
  void putGetDeleteRoundTripAndAMissingKeyIsEmpty() {
    WriteResponse put = client.put("greeting", utf8("hello"));
    assertEquals(1, put.getSeq());
    assertEquals(1, put.getEpoch());
    assertEquals(Optional.of(utf8("hello")), client.get("greeting"));

    WriteResponse replaced = client.put("greeting", utf8("hi"));
    assertEquals(put.getShard(), replaced.getShard());
    assertEquals(2, replaced.getSeq());
    assertEquals(Optional.of(utf8("hi")), client.get("greeting"));

    Optional<WriteResponse> deleted = client.delete("greeting");
    assertEquals(3, deleted.orElseThrow().getSeq());
    assertEquals(Optional.empty(), client.get("greeting"));
    assertEquals(Optional.empty(), client.delete("greeting"), "a delete of a missing key writes nothing");
    assertEquals(3, client.shardDigests(put.getShard()).get(0).getSeq(), "the missing delete took no seq");
  }

  @Test
  void listFetchesEveryPageByItselfAndOnlyAsFarAsConsumed() {
    for (int i = 0; i < 25; i++) {
      client.put(String.format("page/%02d", i), utf8("v" + i));
    }
    client.put("other", utf8("not listed"));
    client.put("pagf", utf8("after the prefix"));

    int before = leader.calls(LIST);
    List<String> keys = client.list(ListRequest.newBuilder().setPrefix("page/").setLimit(4).build())
        .map(KeyValue::getKey).toList();
    assertEquals(IntStream.range(0, 25).mapToObj(i -> String.format("page/%02d", i)).toList(), keys);
    assertEquals(7, leader.calls(LIST) - before, "25 keys in pages of 4");

    before = leader.calls(LIST);
    List<KeyValue> firstThree = client.list(ListRequest.newBuilder().setPrefix("page/").setLimit(4).build())
        .limit(3).toList();
    assertEquals(List.of("page/00", "page/01", "page/02"), firstThree.stream().map(KeyValue::getKey).toList());
    assertEquals(utf8("v2"), firstThree.get(2).getValue());
    assertEquals(1, leader.calls(LIST) - before, "three pairs need only the first page");

    List<String> fromTheMiddle = client.list(ListRequest.newBuilder().setPrefix("page/").setStartAfter("page/20")
        .setKeysOnly(true).build()).map(KeyValue::getKey).toList();
    assertEquals(List.of("page/21", "page/22", "page/23", "page/24"), fromTheMiddle);
    assertEquals(27, client.list("").count(), "every key, in the server's default page size");
    assertEquals(0, client.list("nothing/").count());
  }

  @Test
  void listPageIsOnePageWithItsCursor() {
    for (int i = 0; i < 5; i++) {
      client.put("k" + i, utf8("v"));
    }
    ListResponse page = client.listPage(ListRequest.newBuilder().setLimit(2).build());
    assertEquals(List.of("k0", "k1"), page.getItemsList().stream().map(KeyValue::getKey).toList());
    assertTrue(page.getHasMore());
    assertEquals("k1", page.getNextStartAfter());
  }

  @Test
  void asyncFormsGiveTheSameAnswers() throws Exception {
    WriteResponse put = client.putAsync("async", utf8("value")).get(10, TimeUnit.SECONDS);
    assertEquals(1, put.getSeq());
    assertEquals(Optional.of(utf8("value")), client.getAsync("async").get(10, TimeUnit.SECONDS));
    assertEquals(Optional.empty(), client.getAsync("missing").get(10, TimeUnit.SECONDS));
    assertEquals(List.of("async"), client.listPageAsync(ListRequest.getDefaultInstance()).get(10, TimeUnit.SECONDS)
        .getItemsList().stream().map(KeyValue::getKey).toList());
    assertEquals(1, client.statusAsync().get(10, TimeUnit.SECONDS).getKeys());
    assertEquals(put.getSeq(), client.shardDigestsAsync(put.getShard()).get(10, TimeUnit.SECONDS).get(0).getSeq());
    assertEquals(2, client.deleteAsync("async").get(10, TimeUnit.SECONDS).orElseThrow().getSeq());
    assertEquals(Optional.empty(), client.deleteAsync("async").get(10, TimeUnit.SECONDS));

    CompletionException refused = assertThrows(CompletionException.class, () -> client.putAsync("", utf8("v")).join());
    KvException cause = (KvException) refused.getCause();
    assertEquals(Status.Code.INVALID_ARGUMENT, cause.code());
  }

  @Test
  void statusAndDigestsDescribeTheLeader() {
    WriteResponse put = client.put("k", utf8("v"));
    assertEquals(LeaderUnderTest.SHARDS, client.status().getShards());
    assertEquals(1, client.status().getKeys());
    List<ShardDigest> all = client.shardDigests();
    assertEquals(LeaderUnderTest.SHARDS, all.size());
    ShardDigest mine = client.shardDigests(put.getShard()).get(0);
    assertEquals(all.get(put.getShard()), mine);
    assertEquals(1, mine.getKeys());
    KvException noSuchShard = assertThrows(KvException.class, () -> client.shardDigests(99));
    assertEquals(Status.Code.INVALID_ARGUMENT, noSuchShard.code());
  }

  @Test
  void aRefusedRequestIsOneKvExceptionWithTheServersDescription() {
    KvException empty = assertThrows(KvException.class, () -> client.put("", utf8("v")));
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.code());
    assertTrue(empty.description().startsWith("key is empty"), empty.description());
    assertEquals("INVALID_ARGUMENT: " + empty.description(), empty.getMessage());
    assertEquals(Optional.empty(), empty.reason());
    assertFalse(empty.isDiskFull());

    KvException tooLong = assertThrows(KvException.class, () -> client.get("k".repeat(2000)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLong.code());
    assertFalse(tooLong.isDiskFull(), "a key over its limit is no full disk: change the request");
  }

  @Test
  void aFullDiskIsTold() throws Exception {
    client.put("before", utf8("stored"));
    long writes = client.status().getHeadSeqTotal();
    leader.diskFull(true);

    KvException full = assertThrows(KvException.class, () -> client.put("refused", utf8("v")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.code());
    assertTrue(full.isDiskFull());
    assertEquals(Optional.of(ErrorReasons.DISK_FULL), full.reason());
    assertTrue(full.description().contains("disk is almost full"), full.description());
    assertEquals(1, full.attempts(), "a write is not retried");
    KvException fullDelete = assertThrows(KvException.class, () -> client.delete("before"));
    assertTrue(fullDelete.isDiskFull());
    CompletionException async = assertThrows(CompletionException.class, () -> client.putAsync("r", utf8("v")).join());
    assertTrue(((KvException) async.getCause()).isDiskFull());

    assertEquals(Optional.empty(), client.get("refused"), "reads still work, and nothing was stored");
    assertEquals(Optional.of(utf8("stored")), client.get("before"));
    assertEquals(writes, client.status().getHeadSeqTotal(), "a refused write takes no seq");
    leader.diskFull(false);
    client.put("refused", utf8("accepted now"));
    assertEquals(Optional.of(utf8("accepted now")), client.get("refused"));
  }

  @Test
  void aReadThatMeetsUnavailableIsSentAgain() throws Exception {
    client.put("k", utf8("v"));

    leader.failNext(GET, 2);
    int before = leader.calls(GET);
    assertEquals(Optional.of(utf8("v")), client.get("k"));
    assertEquals(3, leader.calls(GET) - before, "two refusals, then the answer");

    leader.failNext(GET, 2);
    before = leader.calls(GET);
    assertEquals(Optional.of(utf8("v")), client.getAsync("k").get(10, TimeUnit.SECONDS));
    assertEquals(3, leader.calls(GET) - before, "the async form retries alike");

    leader.failNext(LIST, 1);
    assertEquals(List.of("k"), client.list("").map(KeyValue::getKey).toList(), "a list page is a read too");
  }

  @Test
  void readRetriesAreBounded() {
    leader.failNext(GET, 10);
    int before = leader.calls(GET);
    KvException unavailable = assertThrows(KvException.class, () -> client.get("k"));
    assertEquals(Status.Code.UNAVAILABLE, unavailable.code());
    assertEquals(3, unavailable.attempts());
    assertEquals(3, leader.calls(GET) - before);
    assertTrue(unavailable.getMessage().endsWith("(after 3 attempts)"), unavailable.getMessage());

    KvClient once = client.withOptions(client.options().withReadRetries(1, Duration.ZERO));
    before = leader.calls(GET);
    assertThrows(KvException.class, () -> once.get("k"));
    assertEquals(1, leader.calls(GET) - before);
  }

  @Test
  void aWriteThatMeetsUnavailableIsNotSentAgain() throws Exception {
    leader.failNext(PUT, 1);
    int before = leader.calls(PUT);
    KvException unavailable = assertThrows(KvException.class, () -> client.put("k", utf8("v")));
    assertEquals(Status.Code.UNAVAILABLE, unavailable.code());
    assertEquals(1, unavailable.attempts());
    assertEquals(1, leader.calls(PUT) - before, "sent once");
    assertEquals(Optional.empty(), client.get("k"));

    leader.failNext(PUT, 1);
    before = leader.calls(PUT);
    CompletionException async = assertThrows(CompletionException.class, () -> client.putAsync("k", utf8("v")).join());
    assertEquals(Status.Code.UNAVAILABLE, ((KvException) async.getCause()).code());
    assertEquals(1, leader.calls(PUT) - before, "sent once by the async form too");

    assertEquals(1, client.put("k", utf8("v")).getSeq(), "the next write goes through");
  }

  @Test
  void aWriteThatWaitsForAcksSendsTheWaitAndGetsItsTimeoutOnTopOfTheDeadline() {
    KvClient waiting = client.withAcks(1, Duration.ofMillis(50));
    assertEquals(1, waiting.options().minAcks());
    assertEquals(Duration.ofSeconds(10).plusMillis(50), waiting.options().writeDeadline());
    assertEquals(Duration.ofSeconds(10), client.options().writeDeadline(), "the view did not change its parent");
    // The leader under test has R = 1 and no follower: nobody can ack, which is not an error.
    assertEquals(0, waiting.put("k", utf8("v")).getAcks());
    KvException tooMany = assertThrows(KvException.class, () -> client.withAcks(2, Duration.ZERO).put("k", utf8("v")));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.code(), tooMany.getMessage());
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
