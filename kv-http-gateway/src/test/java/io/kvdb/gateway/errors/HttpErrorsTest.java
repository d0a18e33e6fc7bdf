package io.kvdb.gateway.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status;
import io.kvdb.common.errors.ErrorReasons;
import com.linecorp.armeria.common.ClosedSessionException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The one mapping from a failure to an HTTP answer, fed the KvExceptions the gateway's client reports. */
class HttpErrorsTest {
  private static AggregatedHttpResponse answer(Throwable error) {
    return HttpErrors.toResponse(error, "127.0.0.1:50051").aggregate().join();
  }

  /** As the gateway's async chains hand it over: the client's failure inside a CompletionException. */
  private static AggregatedHttpResponse answer(Status status) {
    return answer(new CompletionException(LeaderFailures.of(status)));
  }

  @Test
  void leaderStatusesMapToFittingHttpStatuses() {
    assertEquals(HttpStatus.BAD_REQUEST, HttpErrors.httpStatusOf(Status.Code.INVALID_ARGUMENT));
    assertEquals(HttpStatus.NOT_FOUND, HttpErrors.httpStatusOf(Status.Code.NOT_FOUND));
    assertEquals(HttpStatus.REQUEST_ENTITY_TOO_LARGE, HttpErrors.httpStatusOf(Status.Code.RESOURCE_EXHAUSTED));
    assertEquals(HttpStatus.SERVICE_UNAVAILABLE, HttpErrors.httpStatusOf(Status.Code.UNAVAILABLE));
    assertEquals(HttpStatus.GATEWAY_TIMEOUT, HttpErrors.httpStatusOf(Status.Code.DEADLINE_EXCEEDED));
    assertEquals(HttpStatus.BAD_REQUEST, HttpErrors.httpStatusOf(Status.Code.FAILED_PRECONDITION));
    assertEquals(HttpStatus.INTERNAL_SERVER_ERROR, HttpErrors.httpStatusOf(Status.Code.INTERNAL));
    for (Status.Code code : Status.Code.values()) {
      int http = HttpErrors.httpStatusOf(code).code();
      assertTrue(code == Status.Code.OK ? http == 200 : http >= 400, code + " -> " + http);
    }
  }

  @Test
  void aFullLeaderDiskIs507NotTheTooLarge413() {
    Throwable diskFull = ErrorReasons.diskFull("the leader's disk is almost full");

    AggregatedHttpResponse full = answer(new CompletionException(
        LeaderFailures.of(Status.fromThrowable(diskFull), Status.trailersFromThrowable(diskFull))));
    AggregatedHttpResponse tooLarge = answer(Status.RESOURCE_EXHAUSTED.withDescription("value too large"));

    assertEquals(507, full.status().code());
    assertEquals("{\"error\":\"the leader's disk is almost full\"}", full.contentUtf8());
    assertEquals(413, tooLarge.status().code());
    assertEquals("{\"error\":\"value too large\"}", tooLarge.contentUtf8());
  }

  @Test
  void notFoundHasTheOriginalBodyWhateverTheLeaderSaid() {
    AggregatedHttpResponse response = answer(Status.NOT_FOUND.withDescription("key not found: k"));

    assertEquals(404, response.status().code());
    assertEquals("{\"error\":\"Key not found\"}", response.contentUtf8());
    assertEquals("{\"error\":\"Key not found\"}", HttpErrors.keyNotFound().aggregate().join().contentUtf8());
  }

  @Test
  void unavailableSaysTheLeaderIsUnreachableAndWhy() {
    AggregatedHttpResponse response = answer(Status.UNAVAILABLE.withCause(new ConnectException("Connection refused")));

    assertEquals(503, response.status().code());
    assertEquals("{\"error\":\"leader unreachable at 127.0.0.1:50051: Connection refused\"}", response.contentUtf8());
  }

  @Test
  void aCallBrokenByTheLeadersConnectionIsUnavailableNotAGatewayError() {
    AggregatedHttpResponse response = answer(
        Status.UNKNOWN.withCause(new RuntimeException(new IOException("Connection reset by peer"))));

    assertEquals(503, response.status().code());
    assertEquals("{\"error\":\"leader unreachable at 127.0.0.1:50051: Connection reset by peer\"}", response.contentUtf8());
    assertEquals(500, answer(Status.INTERNAL.withDescription("a bug")).status().code());
  }

  @Test
  void aLeaderThatClosesItsConnectionMidCallIsUnavailableNotAGatewayError() {
    // What Armeria's gRPC channel reports when the leader dies (kill -9) during a call.
    AggregatedHttpResponse response = answer(Status.UNKNOWN.withCause(ClosedSessionException.get()));

    assertEquals(503, response.status().code());
    assertTrue(response.contentUtf8().startsWith("{\"error\":\"leader unreachable at 127.0.0.1:50051: the leader closed"
        + " the connection"), response.contentUtf8());
  }

  @Test
  void theLeadersDescriptionIsTheMessage() {
    AggregatedHttpResponse response = answer(Status.INVALID_ARGUMENT.withDescription("key is empty"));

    assertEquals(400, response.status().code());
    assertEquals("{\"error\":\"key is empty\"}", response.contentUtf8());
  }

  @Test
  void theLeadersTokenRefusalsAre401WithAChallengeAnd403Without() {
    AggregatedHttpResponse unauthenticated = answer(Status.UNAUTHENTICATED.withDescription("invalid bearer token"));
    AggregatedHttpResponse denied = answer(Status.PERMISSION_DENIED.withDescription("this token is read-only"));

    assertEquals(401, unauthenticated.status().code());
    assertEquals("Bearer realm=\"kvdb\"", unauthenticated.headers().get("www-authenticate"));
    assertEquals("{\"error\":\"invalid bearer token\"}", unauthenticated.contentUtf8());
    assertEquals(403, denied.status().code());
    assertEquals(null, denied.headers().get("www-authenticate"));
  }

  @Test
  void gatewayRefusalsKeepTheirMessageAndUnknownErrorsSayLittle() {
    assertEquals("{\"error\":\"bad \\\"thing\\\"\"}", answer(ApiException.badRequest("bad \"thing\"")).contentUtf8());

    AggregatedHttpResponse unknown = answer(new IllegalStateException("secret detail"));
    assertEquals(500, unknown.status().code());
    assertTrue(!unknown.contentUtf8().contains("secret"), unknown.contentUtf8());
    AggregatedHttpResponse raw = answer(Status.NOT_FOUND.withDescription("secret").asRuntimeException());
    assertEquals(500, raw.status().code(), "every call to the leader goes through kv-client: a raw status is a bug");
  }
}
