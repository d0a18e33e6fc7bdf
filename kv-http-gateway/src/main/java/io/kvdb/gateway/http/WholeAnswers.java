package io.kvdb.gateway.http;

import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.RoutingContext;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Routes whose every answer is one whole JSON body (the key routes, {@code /v1}, {@code /batch},
 * {@code /cluster}; not {@code /all} or the watches, which stream), declared unary exchanges so
 * that an answer leaves in one write system call instead of two.
 *
 * <p>Why both parts: an annotated method returning {@code HttpResponse} may stream, so Armeria
 * sends its headers and waits for that write to finish before it asks for the body; and its
 * HTTP/1 encoder flushes after the headers and again after the body. Declared unary, the answer
 * is aggregated and its headers and body are written back to back, and the
 * {@link #consolidateFlushes flush consolidation} at the head of each connection's pipeline turns
 * the two flushes into one {@code writev} (docs/PERFORMANCE.md, "One write per answer in the gateway").
 */
public final class WholeAnswers extends SimpleDecoratingHttpService {
  /** Flushes held at most this many at a time (Netty's default). */
  private static final int MAX_HELD_FLUSHES = 256;

  public WholeAnswers(HttpService delegate) {
    super(delegate);
  }

  @Override
  public ExchangeType exchangeType(RoutingContext routingContext) {
    return ExchangeType.UNARY;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    return ((HttpService) unwrap()).serve(ctx, req);
  }

  /**
   * For {@code ServerBuilder.childChannelPipelineCustomizer}: a flush made outside a read (an
   * answer completed by the leader's reply) waits until the tasks already queued on the event loop
   * have run, so the flushes of one answer, and of other answers completed meanwhile, go out
   * together. A flush during a read is held to the read's end, as Armeria's own handler does.
   */
  public static void consolidateFlushes(ChannelPipeline pipeline) {
    pipeline.addFirst(new FlushConsolidationHandler(MAX_HELD_FLUSHES, true));
  }
}
