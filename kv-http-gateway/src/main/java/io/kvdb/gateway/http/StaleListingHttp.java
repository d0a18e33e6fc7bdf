package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.client.StaleListing;
import io.kvdb.client.StalePage;
import io.kvdb.gateway.stale.StaleReads;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /all} served from followers while the leader is unreachable: kv-client's merged
 * {@link StaleListing} (one copy per shard, chosen before the body starts), in the same two forms
 * as the leader's listing. {@code X-KV-Missing-Shards} names the shards that no follower could
 * serve (empty when none), and the paged form has them in {@code missing_shards}. A chosen holder
 * that fails in the middle ends the streamed array with {@code {"error": ..., "shard": N}} as its
 * last element (the 200 is already out), and the page with {@code error} and {@code shard} fields.
 */
final class StaleListingHttp {
  private static final Logger log = LoggerFactory.getLogger(StaleListingHttp.class);

  private StaleListingHttp() {}

  private static CompletableFuture<StaleListing> listing(StaleReads stale, ServiceRequestContext ctx, String prefix,
      String after, int pageSize) {
    ListRequest request = ListRequest.newBuilder().setPrefix(prefix).setStartAfter(after).setLimit(pageSize).build();
    return stale.forCaller(ctx).thenCompose(reader -> reader.listAsync(request));
  }

  private static ResponseHeaders headers(StaleListing listing) {
    return ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8)
        .set(StaleHttp.STALE, "true")
        .set(StaleHttp.MISSING_SHARDS, StaleHttp.shardList(listing.missingShards()))
        .build();
  }

  /** {@code ?limit=N}: one page, {@code {"items", "has_more", "next_after", "stale", "missing_shards"}}. */
  static CompletableFuture<HttpResponse> page(StaleReads stale, ServiceRequestContext ctx, String prefix,
      String after, int limit, Json.ItemForm form, Throwable leaderError, String leader) {
    return listing(stale, ctx, prefix, after, limit)
        .thenCompose(listing -> listing.nextPage(limit).thenApply(page -> pageResponse(listing, page, after, form)))
        .exceptionally(error -> StaleHttp.failed(error, leaderError, leader));
  }

  private static HttpResponse pageResponse(StaleListing listing, StalePage page, String after, Json.ItemForm form) {
    byte[] body = Json.bytes(json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("items");
      for (KeyValue item : page.items()) {
        form.write(json, item);
      }
      json.writeEndArray();
      // After a failure the rest may still be listed: from the last pair delivered, asked again.
      boolean more = page.hasMore() || page.failure().isPresent();
      String last = page.items().isEmpty() ? after : page.items().get(page.items().size() - 1).getKey();
      json.writeBooleanField("has_more", more);
      if (more && !last.isEmpty()) {
        json.writeStringField("next_after", last);
      } else {
        json.writeNullField("next_after");
      }
      json.writeBooleanField("stale", true);
      json.writeArrayFieldStart("missing_shards");
      for (int shard : listing.missingShards()) {
        json.writeNumber(shard);
      }
      json.writeEndArray();
      if (page.failure().isPresent()) {
        json.writeStringField("error", failureMessage(page.failure().get()));
        json.writeNumberField("shard", page.failure().get().shards().get(0));
      }
      json.writeEndObject();
    });
    return HttpResponse.of(headers(listing), HttpData.wrap(body));
  }

  /** The plain array, streamed a page at a time as the client takes it. */
  static CompletableFuture<HttpResponse> stream(StaleReads stale, ServiceRequestContext ctx, String prefix,
      String after, int pageSize, Duration pageTimeout, Throwable leaderError, String leader) {
    return listing(stale, ctx, prefix, after, pageSize).thenCompose(listing -> listing.nextPage(pageSize)
        .thenApply(first -> {
          HttpResponseWriter out = HttpResponse.streaming();
          out.write(headers(listing));
          new ArrayStream(ctx, listing, out, pageSize, pageTimeout).send(first, true);
          return (HttpResponse) out;
        }))
        .exceptionally(error -> StaleHttp.failed(error, leaderError, leader));
  }

  private static String failureMessage(StalePage.Failure failure) {
    return "follower " + failure.follower() + " failed while listing shards " + failure.shards() + ": "
        + failure.message();
  }

  /** Writes the merged pages as one JSON array; a failure is its last element. */
  private static final class ArrayStream {
    private final ServiceRequestContext ctx;
    private final StaleListing listing;
    private final HttpResponseWriter out;
    private final int pageSize;
    private final Duration pageTimeout;
    private boolean anyItem;

    ArrayStream(ServiceRequestContext ctx, StaleListing listing, HttpResponseWriter out, int pageSize,
        Duration pageTimeout) {
      this.ctx = ctx;
      this.listing = listing;
      this.out = out;
      this.pageSize = pageSize;
      this.pageTimeout = pageTimeout;
    }

    void send(StalePage page, boolean first) {
      boolean last = !page.hasMore();
      if (!out.tryWrite(HttpData.wrap(chunk(page, first, last)))) {
        return; // the client went away
      }
      if (last) {
        page.failure().ifPresent(failure -> log.warn("stale GET /all ended early: {}", failureMessage(failure)));
        out.close();
        return;
      }
      ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, pageTimeout);
      out.whenConsumed().thenCompose(unused -> listing.nextPage(pageSize)).whenComplete((next, error) -> {
        if (error == null) {
          send(next, false);
        } else {
          log.warn("stale GET /all aborted: {}", error.toString());
          out.abort();
        }
      });
    }

    private byte[] chunk(StalePage page, boolean first, boolean last) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      if (first) {
        bytes.write('[');
      }
      for (KeyValue item : page.items()) {
        comma(bytes);
        bytes.writeBytes(Json.bytes(json -> Json.writePair(json, item.getKey(), item.getValue(), item.getVersion())));
      }
      if (page.failure().isPresent()) {
        StalePage.Failure failure = page.failure().get();
        comma(bytes);
        bytes.writeBytes(Json.bytes(json -> {
          json.writeStartObject();
          json.writeStringField("error", failureMessage(failure));
          json.writeNumberField("shard", failure.shards().get(0));
          json.writeEndObject();
        }));
      }
      if (last) {
        bytes.write(']');
      }
      return bytes.toByteArray();
    }

    private void comma(ByteArrayOutputStream bytes) {
      if (anyItem) {
        bytes.write(',');
      }
      anyItem = true;
    }
  }
}
