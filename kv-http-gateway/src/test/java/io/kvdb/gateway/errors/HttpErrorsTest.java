package io.kvdb.gateway.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status;
import io.kvdb.common.errors.ErrorReasons;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  private static AggregatedHttpResponse answer(Throwable error) {
    return HttpErrors.toResponse(error, "127.0.0.1:50051").aggregate().join();
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
    Throwable valueTooLarge = Status.RESOURCE_EXHAUSTED.withDescription("value too large").asRuntimeException();

    AggregatedHttpResponse full = answer(new CompletionException(diskFull));
    AggregatedHttpResponse tooLarge = answer(valueTooLarge);

    assertEquals(507, full.status().code());
    assertEquals("{\"error\":\"the leader's disk is almost full\"}", full.contentUtf8());
    assertEquals(413, tooLarge.status().code());
  }

  @Test
  void notFoundHasTheOriginalBodyWhateverTheLeaderSaid() {
    AggregatedHttpResponse response = answer(Status.NOT_FOUND.withDescription("key not found: k").asRuntimeException());

    assertEquals(404, response.status().code());
    assertEquals("{\"error\":\"Key not found\"}", response.contentUtf8());
  }

  @Test
  void unavailableSaysTheLeaderIsUnreachableAndWhy() {
    Throwable refused = Status.UNAVAILABLE.withCause(new ConnectException("Connection refused")).asRuntimeException();

    AggregatedHttpResponse response = answer(new CompletionException(refused));

    assertEquals(503, response.status().code());
    assertEquals("{\"error\":\"leader unreachable at 127.0.0.1:50051: Connection refused\"}", response.contentUtf8());
  }

  @Test
  void aCallBrokenByTheLeadersConnectionIsUnavailableNotAGatewayError() {
    Throwable reset = Status.UNKNOWN.withCause(new RuntimeException(new IOException("Connection reset by peer")))
        .asRuntimeException();

    AggregatedHttpResponse response = answer(new CompletionException(reset));

    assertEquals(503, response.status().code());
    assertEquals("{\"error\":\"leader unreachable at 127.0.0.1:50051: Connection reset by peer\"}", response.contentUtf8());
    assertEquals(500, answer(Status.INTERNAL.withDescription("a bug").asRuntimeException()).status().code());
  }

  @Test
  void theLeadersDescriptionIsTheMessage() {
    AggregatedHttpResponse response = answer(Status.INVALID_ARGUMENT.withDescription("key is empty").asException());

    assertEquals(400, response.status().code());
    assertEquals("{\"error\":\"key is empty\"}", response.contentUtf8());
  }

  @Test
  void gatewayRefusalsKeepTheirMessageAndUnknownErrorsSayLittle() {
    assertEquals("{\"error\":\"bad \\\"thing\\\"\"}", answer(ApiException.badRequest("bad \"thing\"")).contentUtf8());

    AggregatedHttpResponse unknown = answer(new IllegalStateException("secret detail"));
    assertEquals(500, unknown.status().code());
    assertTrue(!unknown.contentUtf8().contains("secret"), unknown.contentUtf8());
  }
}
