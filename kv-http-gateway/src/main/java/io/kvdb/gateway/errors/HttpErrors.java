package io.kvdb.gateway.errors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import io.grpc.Status;
import io.kvdb.client.KvException;
import io.kvdb.client.VersionConflictException;
import io.kvdb.common.security.BearerHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP status and a JSON body {@code {"error": "..."}}:
 * the leader's failures as kv-client reports them ({@link KvException}: the status code, the
 * description, the {@code DISK_FULL} reason), the gateway's own {@link ApiException}s, and
 * Armeria's errors (body too large, request timeout). Whether a client may retry follows from the
 * status: 503 and 504 are safe to retry for reads (the gateway's client has already retried a read
 * that met UNAVAILABLE); a write that got 503 or 504 may have been committed. The leader's token
 * check becomes 401 (UNAUTHENTICATED: no or unknown token; with
 * {@code WWW-Authenticate: Bearer}) and 403 (PERMISSION_DENIED: a read token on a write); neither
 * is worth retrying with the same token.
 */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /** The body of a 404 for a missing key, byte for byte as the original Node app sent it. */
  public static final String KEY_NOT_FOUND = "Key not found";

  private HttpErrors() {}

  /** The HTTP status for a gRPC status code of the leader's reply. */
  public static HttpStatus httpStatusOf(Status.Code code) {
    return switch (code) {
      case OK -> HttpStatus.OK;
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
      case RESOURCE_EXHAUSTED -> HttpStatus.REQUEST_ENTITY_TOO_LARGE;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
      case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      // The client went away or the call was cancelled under us: 499 as nginx and grpc-gateway use.
      case CANCELLED -> HttpStatus.valueOf(499);
      case UNKNOWN, INTERNAL, DATA_LOSS -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /**
   * The response for {@code error}. {@code leader} names the leader in 503/504 bodies, so that an
   * operator sees which address the gateway could not reach.
   */
  public static HttpResponse toResponse(Throwable error, String leader) {
    Throwable cause = Exceptions.peel(error);
    if (cause instanceof ApiException api) {
      return json(api.status(), api.getMessage());
    }
    if (cause instanceof ContentTooLargeException tooLarge) {
      return bodyTooLarge(tooLarge.maxContentLength()).toHttpResponse();
    }
    if (cause instanceof HttpStatusException statusException) {
      // Armeria's own refusals, e.g. a body over the limit found while reading it (413).
      if (statusException.getCause() instanceof ContentTooLargeException tooLarge) {
        return bodyTooLarge(tooLarge.maxContentLength()).toHttpResponse();
      }
      HttpStatus status = statusException.httpStatus();
      return json(status, status.reasonPhrase());
    }
    if (cause instanceof RequestTimeoutException) {
      return json(HttpStatus.GATEWAY_TIMEOUT, "request timed out in the gateway");
    }
    if (cause instanceof VersionConflictException conflict) {
      return conflict(conflict);
    }
    if (cause instanceof KvException failure) {
      // A full leader disk is 507, retry once space is freed, not 413, change the request.
      if (failure.code() == Status.Code.RESOURCE_EXHAUSTED && failure.isDiskFull()) {
        return json(HttpStatus.INSUFFICIENT_STORAGE, describe(failure.status()));
      }
      return fromLeader(failure.status(), leader);
    }
    log.warn("unexpected error answering a request", cause);
    return json(HttpStatus.INTERNAL_SERVER_ERROR, "internal error in the gateway (see its log)");
  }

  /**
   * 409 {@code {"error": "...", "current_version": N}} for a compare-and-set whose version did not
   * match; a batch's also names the op, {@code "failed_index"}.
   */
  private static HttpResponse conflict(VersionConflictException conflict) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("error", describe(conflict.status()));
      if (conflict.failedIndex().isPresent()) {
        json.writeNumberField("failed_index", conflict.failedIndex().getAsInt());
      }
      json.writeNumberField("current_version", conflict.currentVersion());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.of(HttpStatus.CONFLICT, MediaType.JSON_UTF_8, HttpData.wrap(out.toByteArray()));
  }

  /**
   * The body limit is a client error in the original API's terms: 400, like the other malformed
   * bodies of POST /set (the leader's own size limits answer 413).
   */
  public static AggregatedHttpResponse bodyTooLarge(long maxBytes) {
    return aggregated(HttpStatus.BAD_REQUEST, "request body is larger than " + maxBytes
        + " bytes (gateway flag --max-body-bytes)");
  }

  private static HttpResponse fromLeader(Status status, String leader) {
    Status.Code code = brokenConnection(status) ? Status.Code.UNAVAILABLE : status.getCode();
    HttpStatus http = httpStatusOf(code);
    String description = describe(status);
    return switch (code) {
      // The only NOT_FOUND of the KV API is a missing key; the original body is kept exactly.
      case NOT_FOUND -> keyNotFound();
      case UNAVAILABLE -> json(http, "leader unreachable at " + leader + ": " + description);
      case DEADLINE_EXCEEDED -> json(http, "leader at " + leader + " did not answer in time: " + description);
      default -> json(http, description);
    };
  }

  /**
   * Whether {@code error} says the leader cannot be reached: UNAVAILABLE (refused, reset, a connect
   * that timed out: after the client's retries), or a connection that broke mid-call. An answer of
   * the leader (NOT_FOUND, DISK_FULL, a DEADLINE_EXCEEDED of a slow leader) is not: the leader is
   * there, and only then may reads be served stale from followers.
   */
  public static boolean leaderUnreachable(Throwable error) {
    if (!(Exceptions.peel(error) instanceof KvException failure)) {
      return false;
    }
    return failure.code() == Status.Code.UNAVAILABLE || brokenConnection(failure.status());
  }

  /** The text of a 503 for an unreachable leader: {@code leader unreachable at HOST:PORT: why}. */
  public static String unreachableMessage(Throwable error, String leader) {
    String why = Exceptions.peel(error) instanceof KvException failure ? describe(failure.status()) : error.toString();
    return "leader unreachable at " + leader + ": " + why;
  }

  /**
   * The 503 of a write while the leader is unreachable and reads are served stale from followers:
   * followers never take writes, so the write is refused, saying both.
   */
  public static HttpResponse leaderDownForWrites(Throwable error, String leader) {
    return json(HttpStatus.SERVICE_UNAVAILABLE, unreachableMessage(error, leader)
        + "; writes are refused while the leader is down, reads are served stale from its followers");
  }

  /**
   * A call the leader's connection broke under (the leader died mid-call: "Connection reset by
   * peer", a closed session) comes from the gRPC client as UNKNOWN with that error as its cause. The leader is
   * unreachable then (503, safe to retry a read), not the gateway broken (500).
   */
  private static boolean brokenConnection(Status status) {
    if (status.getCode() != Status.Code.UNKNOWN && status.getCode() != Status.Code.INTERNAL) {
      return false;
    }
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      // Armeria's channel reports a session or stream that the leader closed mid-call by these.
      if (cause instanceof IOException || cause instanceof ClosedSessionException
          || cause instanceof ClosedStreamException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The status' description, or else what its local cause says (e.g. "Connection refused"), with a
   * hint for the two TLS mistakes that otherwise read as riddles: a gateway that does not trust the
   * leader's certificate, and a plaintext gateway dialling a TLS leader (which just hangs up).
   */
  private static String describe(Status status) {
    if (status.getDescription() != null) {
      return status.getDescription();
    }
    if (status.getCause() != null) {
      boolean tls = false;
      Throwable root = status.getCause();
      while (true) {
        tls |= root instanceof SSLException || root instanceof CertificateException;
        if (root.getCause() == null || root.getCause() == root) {
          break;
        }
        root = root.getCause();
      }
      String reason = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
      if (tls) {
        return "TLS handshake failed (" + reason + "); --leader-tls-ca must hold the leader's certificate or its CA,"
            + " and the certificate must name the --leader host";
      }
      if (root instanceof ClosedSessionException) {
        return "the leader closed the connection (a leader started with --tls-cert needs --leader-tls-ca or"
            + " --leader-tls on the gateway)";
      }
      return reason;
    }
    return status.getCode().name();
  }

  /** The original app's 404 for a key that does not exist. */
  public static HttpResponse keyNotFound() {
    return json(HttpStatus.NOT_FOUND, KEY_NOT_FOUND);
  }

  /** {@code {"error": message}} with {@code status}. */
  public static HttpResponse json(HttpStatus status, String message) {
    return aggregated(status, message).toHttpResponse();
  }

  /** {@link #json} as a complete response, for the places Armeria wants one. */
  public static AggregatedHttpResponse aggregated(HttpStatus status, String message) {
    ResponseHeadersBuilder headers = ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
    if (status.equals(HttpStatus.UNAUTHORIZED)) {
      // As the leader's UNAUTHENTICATED does (RFC 6750): send Authorization: Bearer <token>.
      headers.set(HttpHeaderNames.WWW_AUTHENTICATE, BearerHeader.CHALLENGE);
    }
    return AggregatedHttpResponse.of(headers.build(), HttpData.wrap(body(message)));
  }

  /** The bytes of {@code {"error": message}}. */
  public static byte[] body(String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("error", message);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
