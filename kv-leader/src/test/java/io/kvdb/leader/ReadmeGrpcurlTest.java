package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replays the README's grpcurl calls, in order, against a fresh leader with the default shards:
 * each {@code -d} payload must parse as the method's request, and each answer shown right after a
 * command (JSON, or grpcurl's error form) must be what the leader answers.
 */
@Timeout(60)
class ReadmeGrpcurlTest {
  private static final Pattern CALL = Pattern.compile("^grpcurl -plaintext -d '([^']*)' localhost:50051 (\\S+)$");

  @RegisterExtension
  static final TestLeader leader = TestLeader.inProcess(config -> TestLeader.withShards(config, OptionalInt.empty()));

  private static final Map<String, MethodDescriptor<?, ?>> METHODS = Stream.of(
          KVGrpc.getPutMethod(), KVGrpc.getGetMethod(), KVGrpc.getDeleteMethod(), KVGrpc.getListMethod(),
          ClusterGrpc.getStatusMethod(), ClusterGrpc.getShardDigestsMethod())
      .collect(Collectors.toMap(MethodDescriptor::getFullMethodName, Function.identity()));

  @Test
  void everyGrpcurlCallWorksAndAnswersAsShown() throws Exception {
    List<Readme.Block> blocks = Readme.load().blocksUnder("grpcurl");
    int calls = 0;
    int answersChecked = 0;
    Object last = null;  // the last call's response, or its StatusRuntimeException
    MethodDescriptor<?, ?> lastMethod = null;
    for (Readme.Block block : blocks) {
      if (block.language().equals("sh")) {
        for (String line : block.text().split("\n")) {
          Matcher call = CALL.matcher(line);
          if (call.matches()) {
            lastMethod = METHODS.get(call.group(2));
            assertNotNull(lastMethod, "unknown method in: " + line);
            last = invoke(lastMethod, call.group(1));
            calls++;
          }
        }
      } else if (block.language().equals("json")) {
        Message shown = prototype(lastMethod.getResponseMarshaller()).newBuilderForType().build();
        Message.Builder parsed = shown.newBuilderForType();
        JsonFormat.parser().merge(block.text(), parsed);
        // The epoch is the leader's start time in ms: any value is right, the rest must match.
        assertEquals(withoutEpoch(parsed.build()), withoutEpoch((Message) last),
            "answer shown after a call to " + lastMethod.getFullMethodName());
        answersChecked++;
      } else if (block.text().startsWith("ERROR:")) {
        StatusRuntimeException error = (StatusRuntimeException) last;
        assertEquals("ERROR:\n  Code: " + camel(error.getStatus().getCode().name()) + "\n  Message: "
            + error.getStatus().getDescription() + "\n", block.text());
        answersChecked++;
      }
    }
    assertTrue(calls >= 8, "found only " + calls + " grpcurl calls with -d");
    assertEquals(4, answersChecked);
  }

  @Test
  void listAnswersTheServicesShown() throws Exception {
    Readme.Block shown = Readme.load().blocksUnder("grpcurl").stream()
        .filter(block -> block.language().isEmpty() && block.text().startsWith("grpc.")).findFirst().orElseThrow();
    // grpcurl prints the names sorted.
    List<String> services = ReflectionClient.v1alpha(leader.channel()).listServices().stream().sorted().toList();
    assertEquals(String.join("\n", services) + "\n", shown.text());
  }

  private static Object invoke(MethodDescriptor<?, ?> method, String json) throws Exception {
    Message.Builder request = prototype(method.getRequestMarshaller()).newBuilderForType();
    JsonFormat.parser().merge(json, request);
    try {
      return call(method, request.build());
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> R call(MethodDescriptor<Q, R> method, Object request) {
    return ClientCalls.blockingUnaryCall(leader.channel(), method,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), (Q) request);
  }

  private static Message prototype(MethodDescriptor.Marshaller<?> marshaller) {
    return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
  }

  private static Message withoutEpoch(Message message) {
    var epoch = message.getDescriptorForType().findFieldByName("epoch");
    return epoch == null ? message : message.toBuilder().clearField(epoch).build();
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
