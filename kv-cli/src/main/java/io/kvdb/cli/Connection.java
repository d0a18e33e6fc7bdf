package io.kvdb.cli;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;

/**
 * How the client reaches kvdb servers: plaintext or TLS (trusting the system's roots or the
 * certificates of one PEM file), and the bearer token sent with every call. The leader and, for
 * {@code kv verify}, each follower are dialled alike, so one trust file may hold the CA (or the
 * self-signed certificates) of all of them.
 */
final class Connection {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

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
      Path file = tlsCa.get();
      checkCertificates(file);
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

  /** Reads the file as the TLS library will, so that a wrong one is a usage error naming it. */
  private static void checkCertificates(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new KvCli.UsageException("--tls-ca " + file + ": no such file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new KvCli.UsageException("--tls-ca " + file + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
      }
    } catch (CertificateException e) {
      throw new KvCli.UsageException("--tls-ca " + file + " is not a PEM certificate file (BEGIN CERTIFICATE): "
          + e.getMessage());
    } catch (IOException e) {
      throw new KvCli.UsageException("--tls-ca " + file + ": " + e.getMessage());
    }
  }

  /**
   * A channel to {@code address} ({@code HOST:PORT}, IPv6 hosts in brackets) whose every call
   * carries the token.
   *
   * @throws KvCli.UsageException when the address is not HOST:PORT
   */
  ManagedChannel open(String address, String what) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      port = -1;
    }
    if (host.isEmpty() || port <= 0 || port > 65535) {
      throw new KvCli.UsageException(what + " must be HOST:PORT, got '" + address + "'");
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port, credentials);
    token.ifPresent(t -> {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + t);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    });
    return builder.build();
  }

  boolean tls() {
    return tls;
  }

  boolean hasToken() {
    return token.isPresent();
  }
}
