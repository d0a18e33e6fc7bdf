package io.kvdb.system.bench;

import com.google.protobuf.ByteString;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.compare.targets.EtcdGrpcTarget;
import java.time.Duration;

/** kvdb (through its Java client) and etcd over gRPC: one channel shared by all threads, as their Java clients do. */
final class GrpcTargets {
  private GrpcTargets() {}

  static KvTarget kvdb(int port) {
    KvClient client = KvClient.connect("127.0.0.1:" + port, KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30)));
    return new KvTarget() {
      @Override
      public void put(String key, byte[] value) {
        client.put(key, ByteString.copyFrom(value));
      }

      @Override
      public void get(String key) {
        client.get(key);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /** etcd v3's KV service through kv compare's target (hand-encoded requests, one shared channel). */
  static KvTarget etcd(int port) {
    EtcdGrpcTarget etcd = new EtcdGrpcTarget(port);
    return new KvTarget() {
      @Override
      public void put(String key, byte[] value) throws Exception {
        etcd.put(key, value);
      }

      @Override
      public void get(String key) throws Exception {
        etcd.get(key);
      }

      @Override
      public void close() {
        etcd.close();
      }
    };
  }
}
