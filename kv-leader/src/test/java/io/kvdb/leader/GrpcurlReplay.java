package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Replays the README's grpcurl calls of one section, in order, against a leader: each {@code -d}
 * payload must parse as the method's request, and each answer shown right after a command (JSON, or
 * grpcurl's error form) must be what the leader answers. Epochs and versions depend on when the
 * leader ran, so any value is right for them, but consistently: a version shown is mapped to the one
 * the leader answered there, and the same number later in a payload or a message means that one.
 */
final class GrpcurlReplay {
  private static final Pattern CALL = Pattern.compile("^grpcurl -plaintext -d '([^']*)' localhost:50051 (\\S+)$");
  private static final Map<String, MethodDescriptor<?, ?>> METHODS = Stream.of(
          KVGrpc.getPutMethod(), KVGrpc.getGetMethod(), KVGrpc.getDeleteMethod(), KVGrpc.getListMethod(),
          KVGrpc.getWatchMethod(), ClusterGrpc.getStatusMethod(), ClusterGrpc.getShardDigestsMethod())
      .collect(Collectors.toMap(MethodDescriptor::getFullMethodName, Function.identity()));

  /** Calls made and answers checked. */
  record Counts(int calls, int answers) {}

  private final Channel channel;
  /** The versions the README shows, to the ones the leader answered in their place. */
  private final Map<Long, Long> versions = new HashMap<>();
  /** The revision of the newest write this replay made: a watch shown after it has caught up with it. */
  private long lastWriteRevision;

  GrpcurlReplay(Channel channel) {
    this.channel = channel;
  }

  Counts replay(List<Readme.Block> blocks) throws Exception {
    int calls = 0;
    int answers = 0;
    Object last = null;  // the last call's response, or its StatusRuntimeException
    MethodDescriptor<?, ?> lastMethod = null;
    for (Readme.Block block : blocks) {
      if (block.language().equals("sh")) {
        for (String line : block.text().split("\n")) {
          Matcher call = CALL.matcher(line);
          if (call.matches()) {
            lastMethod = METHODS.get(call.group(2));
            assertNotNull(lastMethod, "unknown method in: " + line);
            last = invoke(lastMethod, mapped(call.group(1)));
            calls++;
          }
        }
      } else if (block.language().equals("json")) {
        List<String> objects = topLevelObjects(block.text());
        List<?> actuals = last instanceof List<?> stream ? stream : List.of(last);
        assertEquals(objects.size(), actuals.size(), "messages shown after a call to " + lastMethod.getFullMethodName()
            + ": " + actuals);
        for (int i = 0; i < objects.size(); i++) {
          Message.Builder parsed = prototype(lastMethod.getResponseMarshaller()).newBuilderForType();
          JsonFormat.parser().merge(objects.get(i), parsed);
          Message actual = (Message) actuals.get(i);
          learnVersions(parsed.build(), actual);
          assertEquals(withoutRunValues(parsed.build()), withoutRunValues(actual),
              "answer shown after a call to " + lastMethod.getFullMethodName());
        }
        answers++;
      } else if (block.text().startsWith("ERROR:")) {
        StatusRuntimeException error = (StatusRuntimeException) last;
        assertEquals(mapped(block.text()), "ERROR:\n  Code: " + camel(error.getStatus().getCode().name())
            + "\n  Message: " + error.getStatus().getDescription() + "\n");
        answers++;
      }
    }
    return new Counts(calls, answers);
  }

  /** {@code text} with every version shown so far replaced by the leader's. */
  private String mapped(String text) {
    String out = text;
    for (Map.Entry<Long, Long> version : versions.entrySet()) {
      out = out.replace(Long.toString(version.getKey()), Long.toString(version.getValue()));
    }
    return out;
  }

  /** The messages grpcurl printed one after another (a stream's), each from a line "{" to its "}". */
  private static List<String> topLevelObjects(String text) {
    List<String> objects = new java.util.ArrayList<>();
    StringBuilder current = null;
    for (String line : text.split("\n")) {
      if (line.equals("{")) {
        current = new StringBuilder();
        objects.add(null);
      }
      if (current != null) {
        current.append(line).append('\n');
        objects.set(objects.size() - 1, current.toString());
      }
    }
    return objects;
  }

  /** Fields that hold a revision of the run: a key's version, a watch's revisions. */
  private static boolean isRevision(FieldDescriptor field) {
    return field.getType() == FieldDescriptor.Type.UINT64 && (field.getName().equals("version")
        || field.getName().equals("revision") || field.getName().equals("prev_version"));
  }

  /** Maps each version field of {@code shown} (and its nested messages) to {@code actual}'s. */
  private void learnVersions(Message shown, Message actual) {
    for (FieldDescriptor field : shown.getDescriptorForType().getFields()) {
      if (field.getType() == FieldDescriptor.Type.MESSAGE && !field.isRepeated()) {
        if (shown.hasField(field) && actual.hasField(field)) {
          learnVersions((Message) shown.getField(field), (Message) actual.getField(field));
        }
      } else if (isRevision(field)) {
        long from = (Long) shown.getField(field);
        long to = (Long) actual.getField(field);
        Long known = versions.putIfAbsent(from, to);
        assertEquals(known == null ? to : known, to, "version " + from + " stands for one version of the leader's");
      } else if (field.getType() == FieldDescriptor.Type.MESSAGE && field.isRepeated()) {
        int count = Math.min(shown.getRepeatedFieldCount(field), actual.getRepeatedFieldCount(field));
        for (int i = 0; i < count; i++) {
          learnVersions((Message) shown.getRepeatedField(field, i), (Message) actual.getRepeatedField(field, i));
        }
      }
    }
  }

  private Object invoke(MethodDescriptor<?, ?> method, String json) throws Exception {
    Message.Builder request = prototype(method.getRequestMarshaller()).newBuilderForType();
    JsonFormat.parser().merge(json, request);
    try {
      if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
        return watchUntilProgress(request.build());
      }
      Object answer = call(method, request.build());
      if (answer instanceof io.kvdb.api.v1.WriteResponse written) {
        lastWriteRevision = Math.max(lastWriteRevision, written.getVersion());
      }
      return answer;
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

  @SuppressWarnings("unchecked")
  private <Q, R> R call(MethodDescriptor<Q, R> method, Object request) {
    return ClientCalls.blockingUnaryCall(channel, method,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), (Q) request);
  }

  /**
   * A watch's messages up to its first progress notification at or past the replay's last write:
   * what it replayed, then where it is. (The leader hands committed writes to its watchers on a
   * thread of its own, so a watch started right after a write's reply may first report progress
   * at the revision before it, then the write: such an earlier progress is not kept.)
   */
  private List<Message> watchUntilProgress(Message request) {
    List<Message> got = new java.util.ArrayList<>();
    try (io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation()) {
      context.run(() -> {
        java.util.Iterator<io.kvdb.api.v1.WatchResponse> stream = ClientCalls.blockingServerStreamingCall(channel,
            KVGrpc.getWatchMethod(), CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
            (io.kvdb.api.v1.WatchRequest) request);
        for (io.kvdb.api.v1.WatchResponse message = null; message == null || !message.hasProgress(); ) {
          message = stream.next();
          if (message.hasProgress() && message.getProgress().getRevision() < lastWriteRevision) {
            message = null; // behind a write already answered: its event is still to come
            continue;
          }
          got.add(message);
        }
      });
    }
    return got;
  }

  static Message prototype(MethodDescriptor.Marshaller<?> marshaller) {
    return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
  }

  /** The message without its epoch and versions (of it and its repeated messages): they depend on the run. */
  private static Message withoutRunValues(Message message) {
    Message.Builder builder = message.toBuilder();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.getName().equals("epoch") || isRevision(field)) {
        builder.clearField(field);
      } else if (field.getType() == FieldDescriptor.Type.MESSAGE && !field.isRepeated() && message.hasField(field)) {
        builder.setField(field, withoutRunValues((Message) message.getField(field)));
      } else if (field.getType() == FieldDescriptor.Type.MESSAGE && field.isRepeated()) {
        builder.clearField(field);
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          builder.addRepeatedField(field, withoutRunValues((Message) message.getRepeatedField(field, i)));
        }
      }
    }
    return builder.build();
  }

  /** NOT_FOUND -> NotFound, as grpcurl prints codes. */
  private static String camel(String code) {
    StringBuilder out = new StringBuilder();
    for (String part : code.split("_")) {
      out.append(part.charAt(0)).append(part.substring(1).toLowerCase());
    }
    return out.toString();
  }
}
