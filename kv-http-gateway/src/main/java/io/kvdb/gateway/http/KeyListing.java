package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.common.util.Exceptions;
import io.grpc.Status;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.stale.StaleReads;
import java.io.ByteArrayOutputStream;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /all}: every key in key order (unsigned UTF-8 bytes), as the original plain array, or
 * one page of it with {@code ?limit=}. The gateway reads the leader's List one page at a time and
 * writes each page out before it asks for the next (when the client has taken the previous one),
 * so a million keys never sit in its heap. The pages are {@code KvClient.listPageAsync} calls:
 * kv-client's own {@code list} stream pages by itself but blocks its reader, and here the pace is
 * the HTTP client's, on the event loop. The listing is not a snapshot: keys written while it
 * runs may or may not appear, as with Redis SCAN. While the leader is unreachable, the listing is
 * merged from followers ({@link StaleListingHttp}).
 */
public final class KeyListing {
  private static final Logger log = LoggerFactory.getLogger(KeyListing.class);
  private static final Set<String> PARAMS = Set.of("prefix", "after", "limit");
  /** Page size asked of the leader while streaming; it caps it at its own --max-page-size. */
  static final int STREAM_PAGE = 1000;

  private final LeaderClient leader;
  private final StaleReads stale;

  public KeyListing(LeaderClient leader, StaleReads stale) {
    this.leader = leader;
    this.stale = stale;
  }

  @Get("/all")
  @Description("All keys with their values, in key order: [{\"key\": ..., \"value\": ...}, ...], streamed. "
      + "?prefix=P keeps keys starting with P; ?after=K starts after key K. With ?limit=N the reply is one page: "
      + "{\"items\": [...], \"has_more\": bool, \"next_after\": K or null}; pass next_after as ?after= for the next.")
  public CompletableFuture<HttpResponse> all(ServiceRequestContext ctx) {
    QueryArgs args = QueryArgs.of(ctx, PARAMS);
    String prefix = args.string("prefix").orElse("");
    String after = args.string("after").orElse("");
    var limit = args.number("limit", 1, Integer.MAX_VALUE);
    KvClient caller = leader.forCaller(ctx);
    String address = leader.address().toString();
    if (limit.isPresent()) {
      return page(ctx, prefix, after, limit.get().intValue(), Json.ORIGINAL_ITEM);
    }
    // The first page is read before the 200 goes out, so that a leader that is down (or refuses the
    // caller's token) still gets its own status.
    return fetch(caller, prefix, after, STREAM_PAGE).thenApply(first -> {
      HttpResponseWriter out = HttpResponse.streaming();
      out.write(ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8));
      new ArrayStream(ctx, caller, out, prefix).send(first, true);
      return (HttpResponse) out;
    }).exceptionallyCompose(error -> stale.serves(error)
        ? StaleListingHttp.stream(stale, ctx, prefix, after, STREAM_PAGE, leader.timeout().multipliedBy(2), error,
            address)
        : CompletableFuture.failedFuture(error));
  }

  /**
   * One page of the listing, {@code {"items": [...], "has_more", "next_after"}} with each item in
   * {@code form}; from the followers (stale) while the leader is unreachable. {@code GET /all?limit=}
   * and {@code GET /v1/kv} answer with it.
   */
  public CompletableFuture<HttpResponse> page(ServiceRequestContext ctx, String prefix, String after, int limit,
      Json.ItemForm form) {
    return fetch(leader.forCaller(ctx), prefix, after, limit).thenApply(page -> pageResponse(page, form))
        .exceptionallyCompose(error -> stale.serves(error)
            ? StaleListingHttp.page(stale, ctx, prefix, after, limit, form, error, leader.address().toString())
            : CompletableFuture.failedFuture(error));
  }

  /** A page of the leader's List, and the page size that fit (see {@link #fetch}). */
  record Page(ListResponse response, int size) {}

  /**
   * One List call. A page of large values can exceed the largest reply the client accepts
   * (RESOURCE_EXHAUSTED); then the same page is asked again with half the size, down to one key.
   */
  static CompletableFuture<Page> fetch(KvClient caller, String prefix, String after, int size) {
    ListRequest request = ListRequest.newBuilder().setPrefix(prefix).setStartAfter(after).setLimit(size).build();
    return caller.listPageAsync(request).handle((response, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(new Page(response, size));
      }
      if (size > 1 && Exceptions.peel(error) instanceof KvException failure
          && failure.code() == Status.Code.RESOURCE_EXHAUSTED) {
        return fetch(caller, prefix, after, size / 2);
      }
      return CompletableFuture.<Page>failedFuture(error);
    }).thenCompose(page -> page);
  }

  private static HttpResponse pageResponse(Page page, Json.ItemForm form) {
    ListResponse list = page.response();
    return Json.ok(json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("items");
      for (KeyValue item : list.getItemsList()) {
        form.write(json, item);
      }
      json.writeEndArray();
      json.writeBooleanField("has_more", list.getHasMore());
      if (list.getHasMore()) {
        json.writeStringField("next_after", list.getNextStartAfter());
      } else {
        json.writeNullField("next_after");
      }
      json.writeEndObject();
    });
  }

  /**
   * Writes the pages of one listing as a single JSON array, one chunk per page. Every page is asked
   * with the caller's credential, as the first was.
   */
  private final class ArrayStream {
    private final ServiceRequestContext ctx;
    private final KvClient caller;
    private final HttpResponseWriter out;
    private final String prefix;
    /** Whether an item was written yet, so the next one needs a comma. Pages come one at a time. */
    private boolean anyItem;

    ArrayStream(ServiceRequestContext ctx, KvClient caller, HttpResponseWriter out, String prefix) {
      this.ctx = ctx;
      this.caller = caller;
      this.out = out;
      this.prefix = prefix;
    }

    void send(Page page, boolean first) {
      ListResponse list = page.response();
      if (!out.tryWrite(HttpData.wrap(chunk(list, first)))) {
        return; // the client went away
      }
      if (!list.getHasMore()) {
        out.close();
        return;
      }
      // The request timeout guards each page, not the whole listing, which may take long.
      ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, leader.timeout().multipliedBy(2));
      out.whenConsumed()
          .thenCompose(unused -> fetch(caller, prefix, list.getNextStartAfter(), page.size()))
          .whenComplete((next, error) -> {
            if (error == null) {
              send(next, false);
            } else {
              // The 200 is already out: abort, so the client sees a broken response, never a
              // well-formed array that silently lacks keys. The reason is logged here; aborting
              // without a cause keeps Armeria from logging it again with a stack trace.
              log.warn("GET /all aborted after key '{}': {}", list.getNextStartAfter(), error.toString());
              out.abort();
            }
          });
    }

    private byte[] chunk(ListResponse list, boolean first) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      if (first) {
        bytes.write('[');
      }
      for (KeyValue item : list.getItemsList()) {
        if (anyItem) {
          bytes.write(',');
        }
        bytes.writeBytes(Json.bytes(json -> Json.writePair(json, item.getKey(), item.getValue(), item.getVersion())));
        anyItem = true;
      }
      if (!list.getHasMore()) {
        bytes.write(']');
      }
      return bytes.toByteArray();
    }
  }
}
