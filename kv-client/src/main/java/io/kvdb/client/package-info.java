/** The Java client of kvdb: {@code KvClient} over any {@code io.grpc.Channel}. */
package io.kvdb.client;
