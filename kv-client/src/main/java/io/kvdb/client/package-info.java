/**
 * The Java client of kvdb: {@link io.kvdb.client.KvClient} for the leader (KV and Cluster APIs)
 * and {@link io.kvdb.client.FollowerClient} for one follower, over any {@code io.grpc.Channel},
 * with immutable {@link io.kvdb.client.KvOptions}, one error type
 * ({@link io.kvdb.client.KvException}) and one retry rule: reads are retried on UNAVAILABLE,
 * writes never. See the module's README.
 */
package io.kvdb.client;
