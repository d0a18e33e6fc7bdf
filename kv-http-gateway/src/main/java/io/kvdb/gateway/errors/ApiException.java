package io.kvdb.gateway.errors;

import com.linecorp.armeria.common.HttpStatus;

/**
 * A request the gateway itself refuses before asking the leader (bad JSON, bad parameter, an
 * Authorization header that cannot be sent on...). Its message is what the client reads in
 * {@code {"error": ...}}, so it must say what to fix.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final HttpStatus status;

  private ApiException(HttpStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** 400 with {@code message}. */
  public static ApiException badRequest(String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, message);
  }

  /**
   * 401 with {@code message}: a credential the gateway can tell is unusable before asking the leader
   * (the leader's own refusals come back as UNAUTHENTICATED and map to 401 as well).
   */
  public static ApiException unauthorized(String message) {
    return new ApiException(HttpStatus.UNAUTHORIZED, message);
  }

  public HttpStatus status() {
    return status;
  }
}
