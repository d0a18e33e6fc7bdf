package io.kvdb.cli;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.kvdb.common.net.HostPort;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.common.security.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the client reaches kvdb servers: plaintext or TLS (trusting the system's roots or the
 * certificates of one PEM file), and the bearer token sent with every call. The leader and, for
 * {@code kv verify}, each follower are dialled alike, so one trust file may hold the CA (or the
 * self-signed certificates) of all of them.
 */
final class Connection {
  private final ChannelCredentials credentials;
  private final boolean tls;
  private final Optional<String> token;

  private Connection(ChannelCredentials credentials, boolean tls, Optional<String> token) {
    this.credentials = credentials;
    this.tls = tls;
    this.token = token;
  }

  /**
   * @param tlsCa PEM file of trusted certificates; implies TLS
   * @param systemTls TLS with the JVM's default trust store (ignored when {@code tlsCa} is given)
   * @param token the bearer token, if any
   * @throws KvCli.UsageException naming the file when it is missing or holds no PEM certificate
   */
  static Connection of(Optional<Path> tlsCa, boolean systemTls, Optional<String> token) {
    if (tlsCa.isPresent()) {
      Path file;
      try {
        file = PemFiles.trustedCertificates("tls-ca", tlsCa.get().toString());
      } catch (IllegalArgumentException e) {
        throw new KvCli.UsageException(e.getMessage());
      }
      try {
        return new Connection(TlsChannelCredentials.newBuilder().trustManager(file.toFile()).build(), true, token);
      } catch (IOException e) {
        throw new KvCli.UsageException("--tls-ca " + file + ": " + e.getMessage());
      }
    }
    if (systemTls) {
      return new Connection(TlsChannelCredentials.create(), true, token);
    }
    return new Connection(InsecureChannelCredentials.create(), false, token);
  }

  /**
   * A channel to {@code address} ({@code HOST:PORT}, IPv6 hosts in brackets) whose every call
   * carries the token.
   *
   * @throws KvCli.UsageException when the address is not HOST:PORT
   */
  ManagedChannel open(String address, String what) {
    HostPort target;
    try {
      target = HostPort.parse(what, address);
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException(e.getMessage());
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.host(), target.port(), credentials);
    token.ifPresent(t -> builder.intercept(MetadataUtils.newAttachHeadersInterceptor(BearerHeader.metadata(t))));
    return builder.build();
  }

  boolean tls() {
    return tls;
  }

  boolean hasToken() {
    return token.isPresent();
  }
}
