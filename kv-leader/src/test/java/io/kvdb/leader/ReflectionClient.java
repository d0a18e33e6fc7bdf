package io.kvdb.leader;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What grpcurl does without .proto files: list services and fetch their file descriptors through
 * server reflection, in the v1 protocol or the older v1alpha one that many grpcurl builds speak.
 */
abstract class ReflectionClient {
  /** The names of the services the server lists. */
  abstract List<String> listServices() throws Exception;

  /** Serialized FileDescriptorProtos of the file defining {@code symbol} (and maybe its dependencies). */
  abstract List<ByteString> fileContainingSymbol(String symbol) throws Exception;

  /** Serialized FileDescriptorProtos of the file {@code name} (and maybe its dependencies). */
  abstract List<ByteString> fileByName(String name) throws Exception;

  static ReflectionClient v1(Channel channel) {
    return new V1(channel);
  }

  static ReflectionClient v1alpha(Channel channel) {
    return new V1Alpha(channel);
  }

  /** The file defining {@code symbol}, built with all its dependencies fetched by reflection too. */
  FileDescriptor resolve(String symbol) throws Exception {
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    addAll(protos, fileContainingSymbol(symbol));
    String root = null;
    for (FileDescriptorProto proto : protos.values()) {
      if (definesSymbol(proto, symbol)) {
        root = proto.getName();
      }
    }
    if (root == null) {
      throw new AssertionError("reflection returned no file defining " + symbol);
    }
    return build(root, protos, new HashMap<>());
  }

  private FileDescriptor build(String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built)
      throws Exception {
    if (built.containsKey(name)) {
      return built.get(name);
    }
    if (!protos.containsKey(name)) {
      addAll(protos, fileByName(name));
    }
    FileDescriptorProto proto = protos.get(name);
    List<FileDescriptor> deps = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      deps.add(build(dependency, protos, built));
    }
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, deps.toArray(new FileDescriptor[0]));
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new AssertionError("descriptor of " + name + " does not resolve: " + e.getMessage(), e);
    }
  }

  private static void addAll(Map<String, FileDescriptorProto> protos, List<ByteString> files)
      throws InvalidProtocolBufferException {
    for (ByteString bytes : files) {
      FileDescriptorProto proto = FileDescriptorProto.parseFrom(bytes);
      protos.put(proto.getName(), proto);
    }
  }

  private static boolean definesSymbol(FileDescriptorProto proto, String symbol) {
    String prefix = proto.getPackage().isEmpty() ? "" : proto.getPackage() + ".";
    return proto.getServiceList().stream().anyMatch(s -> symbol.equals(prefix + s.getName()))
        || proto.getMessageTypeList().stream().anyMatch(m -> symbol.equals(prefix + m.getName()));
  }

  /** Sends one request on a new reflection stream and waits for its one response. */
  static <Q, R> R ask(Function<StreamObserver<R>, StreamObserver<Q>> open, Q request) throws Exception {
    CompletableFuture<R> response = new CompletableFuture<>();
    StreamObserver<Q> requests = open.apply(new StreamObserver<R>() {
      @Override
      public void onNext(R value) {
        response.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        response.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        response.completeExceptionally(new IllegalStateException("stream ended without a response"));
      }
    });
    requests.onNext(request);
    requests.onCompleted();
    return response.get(10, TimeUnit.SECONDS);
  }

  private static final class V1 extends ReflectionClient {
    private final io.grpc.reflection.v1.ServerReflectionGrpc.ServerReflectionStub stub;

    V1(Channel channel) {
      stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
    }

    private io.grpc.reflection.v1.ServerReflectionResponse ask(io.grpc.reflection.v1.ServerReflectionRequest.Builder request)
        throws Exception {
      io.grpc.reflection.v1.ServerReflectionResponse response = ReflectionClient.ask(stub::serverReflectionInfo, request.build());
      if (response.hasErrorResponse()) {
        throw new AssertionError("reflection error: " + response.getErrorResponse());
      }
      return response;
    }

    @Override
    List<String> listServices() throws Exception {
      return ask(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("*"))
          .getListServicesResponse().getServiceList().stream()
          .map(io.grpc.reflection.v1.ServiceResponse::getName).toList();
    }

    @Override
    List<ByteString> fileContainingSymbol(String symbol) throws Exception {
      return ask(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol))
          .getFileDescriptorResponse().getFileDescriptorProtoList();
    }

    @Override
    List<ByteString> fileByName(String name) throws Exception {
      return ask(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setFileByFilename(name))
          .getFileDescriptorResponse().getFileDescriptorProtoList();
    }
  }

  private static final class V1Alpha extends ReflectionClient {
    private final io.grpc.reflection.v1alpha.ServerReflectionGrpc.ServerReflectionStub stub;

    V1Alpha(Channel channel) {
      stub = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel);
    }

    private io.grpc.reflection.v1alpha.ServerReflectionResponse ask(
        io.grpc.reflection.v1alpha.ServerReflectionRequest.Builder request) throws Exception {
      io.grpc.reflection.v1alpha.ServerReflectionResponse response =
          ReflectionClient.ask(stub::serverReflectionInfo, request.build());
      if (response.hasErrorResponse()) {
        throw new AssertionError("reflection error: " + response.getErrorResponse());
      }
      return response;
    }

    @Override
    List<String> listServices() throws Exception {
      return ask(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("*"))
          .getListServicesResponse().getServiceList().stream()
          .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList();
    }

    @Override
    List<ByteString> fileContainingSymbol(String symbol) throws Exception {
      return ask(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol))
          .getFileDescriptorResponse().getFileDescriptorProtoList();
    }

    @Override
    List<ByteString> fileByName(String name) throws Exception {
      return ask(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setFileByFilename(name))
          .getFileDescriptorResponse().getFileDescriptorProtoList();
    }
  }
}
