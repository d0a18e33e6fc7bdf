package io.kvdb.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Sends {@code authorization: Bearer TOKEN} with a call, as the servers' token check reads it. */
final class BearerToken extends CallCredentials {
  /** The header the servers' token check reads; gRPC header names are lower case. */
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  BearerToken(String token) {
    this.header = "Bearer " + token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, header);
    applier.apply(headers);
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "BearerToken[set]";
  }
}
