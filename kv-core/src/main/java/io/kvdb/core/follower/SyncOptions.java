package io.kvdb.core.follower;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Who this follower is to the leader, and how it syncs.
 *
 * @param id the follower's id, also its control socket's routing id
 * @param address its gRPC address (host:port) as others should dial it
 * @param acceptNewLeader the operator allows wiping data from another leader (--accept-new-leader)
 * @param catchUpBatch events asked for per catch-up request
 */
public record SyncOptions(String id, String address, boolean acceptNewLeader, int catchUpBatch) {
  public SyncOptions {
    checkArgument(catchUpBatch > 0, "catch-up batch must be > 0: %s", catchUpBatch);
  }
}
