package io.kvdb.gateway.errors;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.annotation.Nullable;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.ExceptionHandlerFunction;

/**
 * Makes every error the server itself produces JSON too (no route, wrong method, body over the
 * limit, timeouts), so a client never has to parse Armeria's plain-text pages. Service failures go
 * through {@link HttpErrors}, both those of annotated services ({@link ExceptionHandlerFunction})
 * and the rest ({@link ServerErrorHandler}).
 */
public final class JsonErrorHandler implements ServerErrorHandler, ExceptionHandlerFunction {
  private final String leader;

  public JsonErrorHandler(String leader) {
    this.leader = leader;
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return HttpErrors.toResponse(cause, leader);
  }

  @Override
  public HttpResponse handleException(ServiceRequestContext ctx, HttpRequest req, Throwable cause) {
    return HttpErrors.toResponse(cause, leader);
  }

  @Override
  public @Nullable AggregatedHttpResponse renderStatus(@Nullable ServiceRequestContext ctx, ServiceConfig config,
      @Nullable RequestHeaders headers, HttpStatus status, @Nullable String description,
      @Nullable Throwable cause) {
    if (cause instanceof ContentTooLargeException tooLarge) {
      return HttpErrors.bodyTooLarge(tooLarge.maxContentLength());
    }
    String message = switch (status.code()) {
      case 404 -> "no such endpoint: " + describe(headers)
          + " (keys in a path must be one URL-encoded segment, e.g. /get/a%2Fb for the key a/b)";
      case 405 -> "method not allowed: " + describe(headers);
      case 400 -> (description != null ? description : status.reasonPhrase())
          + " (URLs cannot carry the keys \".\" and \"..\" or most control characters; see the gateway README)";
      default -> description != null ? description : status.reasonPhrase();
    };
    return HttpErrors.aggregated(status, message);
  }

  private static String describe(@Nullable RequestHeaders headers) {
    return headers == null ? "(unknown request)" : headers.method() + " " + headers.path();
  }
}
