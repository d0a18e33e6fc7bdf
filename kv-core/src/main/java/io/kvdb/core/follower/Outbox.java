package io.kvdb.core.follower;

import io.kvdb.replication.v1.ControlMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What the follower's sync asks of its link to the leader after an input: control messages to
 * send, in order, and shards whose topics to subscribe to or leave. The link carries them out and
 * clears the outbox. One input never both subscribes to and leaves the same shard.
 */
public final class Outbox {
  private final List<ControlMessage> messages = new ArrayList<>();
  private final List<Integer> subscribe = new ArrayList<>();
  private final List<Integer> unsubscribe = new ArrayList<>();

  void send(ControlMessage message) {
    messages.add(message);
  }

  void subscribe(int shard) {
    subscribe.add(shard);
  }

  void unsubscribe(int shard) {
    unsubscribe.add(shard);
  }

  /** Messages for the leader's control socket, oldest first. */
  public List<ControlMessage> messages() {
    return messages;
  }

  /** Shards whose topics to subscribe to. */
  public List<Integer> subscribe() {
    return subscribe;
  }

  /** Shards whose topics to leave. */
  public List<Integer> unsubscribe() {
    return unsubscribe;
  }

  public boolean isEmpty() {
    return messages.isEmpty() && subscribe.isEmpty() && unsubscribe.isEmpty();
  }

  /** Forgets everything: call once it was carried out. */
  public void clear() {
    messages.clear();
    subscribe.clear();
    unsubscribe.clear();
  }
}
