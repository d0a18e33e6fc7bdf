package io.kvdb.cli;

import io.kvdb.api.v1.ListRequest;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.FollowerMap;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.client.ShardUnavailableException;
import io.kvdb.client.StaleListing;
import io.kvdb.client.StalePage;
import io.kvdb.client.StaleReader;
import io.kvdb.client.StaleValue;
import io.kvdb.common.process.ExitCodes;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * {@code kv get --stale KEY} and {@code kv list --stale}: reads from the followers' copies through
 * kv-client's {@link StaleReader}, for when the leader is down. The followers are those of the
 * leader's status, or of {@code --followers HOST:PORT,...} (then the leader is not asked). Values
 * and pairs go to stdout as the leader's commands print them; which copy answered (follower,
 * shard, applied seq, stale) and the shards that could not be read go to stderr, so a script's
 * output stays the data. With --json the copy read is in the answer too, and a listing that lacks
 * shards ends with a {@link #MISSING_SHARDS} error line.
 */
final class StaleRead {
  /** The --json error code that ends a listing which lacks shards no follower could serve (exit 1). */
  static final String MISSING_SHARDS = "MISSING_SHARDS";
  /** The page size asked of each follower, as the leader's listing asks. */
  private static final int PAGE = 1000;

  private final KvClient leader;
  private final Connection connection;
  private final Output output;
  private final PrintStream err;

  StaleRead(KvClient leader, Connection connection, Output output) {
    this.leader = leader;
    this.connection = connection;
    this.output = output;
    this.err = output.err();
  }

  /** {@code get --stale KEY [--followers LIST]}. */
  int get(List<String> operands) {
    String key = null;
    List<String> followers = List.of();
    for (int i = 0; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--stale" -> { }
        case "--followers" -> followers = addresses(operands, ++i);
        default -> {
          if (key != null) {
            throw new KvCli.UsageException("get --stale KEY [--followers HOST:PORT,...]");
          }
          key = operands.get(i);
        }
      }
    }
    if (key == null) {
      throw new KvCli.UsageException("get --stale KEY [--followers HOST:PORT,...]");
    }
    try (StaleReader reader = connection.staleReader()) {
      locate(reader, followers);
      StaleValue value = reader.get(key);
      String from = "stale read from follower " + value.follower() + ": shard " + value.shard() + ", applied seq "
          + value.appliedSeq() + (value.stale() ? ", stale (newer writes may exist)" : ", in sync with the leader");
      JsonObject copy = new JsonObject().put("shard", value.shard()).put("applied_seq", value.appliedSeq())
          .put("stale", value.stale()).put("follower", value.follower());
      if (!value.found()) {
        return output.error(ExitCodes.FAILED, Output.NOT_FOUND, "not found: " + key + " (" + from + ")",
            new JsonObject().put("key", key).putAll(copy));
      }
      if (output.json()) {
        output.print(new JsonObject().put("key", key).putValue(value.value().get()).putAll(copy));
      } else {
        output.out().println(Commands.printable(value.value().get()));
      }
      err.println("kv: " + from);
      return ExitCodes.OK;
    } catch (ShardUnavailableException e) {
      return output.error(ExitCodes.REFUSED, "UNAVAILABLE", e.getMessage(), new JsonObject().put("shard", e.shard()));
    }
  }

  /** {@code list --stale [--prefix P] [--limit N] [--followers LIST]}. */
  int list(List<String> operands) {
    String prefix = "";
    long limit = Long.MAX_VALUE;
    List<String> followers = List.of();
    for (int i = 0; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--stale" -> { }
        case "--followers" -> followers = addresses(operands, ++i);
        case "--prefix" -> prefix = value(operands, ++i, "--prefix");
        case "--limit" -> limit = Commands.number(value(operands, ++i, "--limit"), "--limit");
        default -> throw new KvCli.UsageException("list --stale [--prefix P] [--limit N] [--followers HOST:PORT,...]");
      }
    }
    if (limit < 0) {
      throw new KvCli.UsageException("--limit needs a number >= 0, got " + limit);
    }
    try (StaleReader reader = connection.staleReader()) {
      locate(reader, followers);
      StaleListing listing = reader.list(ListRequest.newBuilder().setPrefix(prefix).setLimit(PAGE).build());
      err.println("kv: stale listing from followers, " + (listing.missingShards().isEmpty() ? "every shard read"
          : "missing shards (no follower could serve them): " + listing.missingShards()));
      long printed = 0;
      while (printed < limit) {
        StalePage page = listing.nextPage((int) Math.min(PAGE, limit - printed)).join();
        page.items().forEach(item -> Commands.printPair(output, item));
        printed += page.items().size();
        if (page.failure().isPresent()) {
          StalePage.Failure failure = page.failure().get();
          return output.error(ExitCodes.REFUSED, "UNAVAILABLE", "follower " + failure.follower()
              + " failed while listing shards " + failure.shards() + ": " + failure.message()
              + " (the pairs above came before it)", new JsonObject().put("follower", failure.follower())
              .put("shards", failure.shards()));
        }
        if (!page.hasMore()) {
          break;
        }
      }
      if (listing.missingShards().isEmpty()) {
        return ExitCodes.OK;
      }
      if (output.json()) { // as text, said on stderr before the pairs
        output.error(ExitCodes.FAILED, MISSING_SHARDS, "no follower could serve shards " + listing.missingShards(),
            new JsonObject().put("missing_shards", listing.missingShards()));
      }
      return ExitCodes.FAILED;
    }
  }

  /**
   * Makes the reader's map: what {@code followers} say of themselves, or the leader's status.
   *
   * @throws KvException (exit 3) when neither can be asked, saying to pass --followers
   */
  private void locate(StaleReader reader, List<String> followers) {
    if (!followers.isEmpty()) {
      FollowerMap map;
      try {
        map = reader.discoverAsync(followers).join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause : e;
      }
      err.println("kv: " + map.shardCount() + " shards, read from the followers " + map.addresses());
      return;
    }
    try {
      reader.useStatus(leader.status());
    } catch (KvException e) {
      err.println("kv: the leader cannot say where the followers are (" + e.getMessage()
          + "); pass --followers HOST:PORT,...");
      throw e;
    }
  }

  private static List<String> addresses(List<String> operands, int index) {
    List<String> addresses = Arrays.stream(value(operands, index, "--followers").split(",")).map(String::trim)
        .filter(a -> !a.isEmpty()).toList();
    if (addresses.isEmpty()) {
      throw new KvCli.UsageException("--followers needs HOST:PORT[,HOST:PORT...]");
    }
    return addresses;
  }

  private static String value(List<String> operands, int index, String flag) {
    if (index >= operands.size()) {
      throw new KvCli.UsageException(flag + " needs a value");
    }
    return operands.get(index);
  }
}
