package io.kvdb.gateway.leader;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Metadata;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.gateway.errors.ApiException;
import java.util.List;
import java.util.Optional;

/**
 * The credential a caller presented to the gateway: its {@code Authorization} header, which goes to
 * the leader unchanged as the gRPC header {@code authorization}. The gateway holds no credential of
 * its own and judges nothing but the header's shape; the leader decides, and its UNAUTHENTICATED or
 * PERMISSION_DENIED becomes 401 or 403 (see {@code HttpErrors}). The value is a secret: {@link
 * #toString} never shows it and nothing logs it.
 */
public final class CallerAuth {
  /** A caller that sent no credential; an open leader serves it, a leader with tokens refuses it. */
  public static final CallerAuth NONE = new CallerAuth(null);

  private final String header;

  private CallerAuth(String header) {
    this.header = header;
  }

  /**
   * The credential in {@code headers}, if any.
   *
   * @throws ApiException 401 for a header that no token check could accept: repeated, or with
   *     characters gRPC metadata cannot carry (tokens are visible ASCII)
   */
  public static CallerAuth of(RequestHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
    if (values.isEmpty()) {
      return NONE;
    }
    if (values.size() > 1) {
      throw ApiException.unauthorized("send one Authorization header, not " + values.size());
    }
    String value = values.get(0);
    if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
      throw ApiException.unauthorized("the Authorization header must be 'Bearer <token>', in ASCII characters");
    }
    return new CallerAuth(value);
  }

  /** The header as gRPC metadata for the leader; empty when the caller sent none. */
  Optional<Metadata> metadata() {
    if (header == null) {
      return Optional.empty();
    }
    Metadata metadata = new Metadata();
    metadata.put(BearerHeader.AUTHORIZATION, header);
    return Optional.of(metadata);
  }

  @Override
  public String toString() {
    return header == null ? "CallerAuth[none]" : "CallerAuth[present]";
  }
}
