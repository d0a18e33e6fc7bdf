package io.kvdb.client;

import io.grpc.CallCredentials;
import io.kvdb.common.security.BearerHeader;
import java.util.concurrent.Executor;

/** Sends {@code authorization: Bearer TOKEN} with a call, as the servers' token check reads it. */
final class BearerToken extends CallCredentials {
  private final String token;

  BearerToken(String token) {
    this.token = token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    applier.apply(BearerHeader.metadata(token));
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "BearerToken[set]";
  }
}
