package io.kvdb.core.security;

import io.kvdb.common.config.FlagFiles;
import io.kvdb.common.config.Flags;
import io.kvdb.core.process.Supervisor;
import java.util.Optional;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * CURVE on the leader's replication sockets (PUB and control ROUTER): traffic is encrypted, and
 * only followers whose public key is authorized complete the handshake, so nobody else can
 * subscribe to the events or register as a follower; the control channel also checks that each
 * message comes from a key authorized for the follower id it claims.
 *
 * @param keys the leader's key pair
 * @param authorized the followers' public keys
 */
public record CurveServer(CurveKeyPair keys, AuthorizedKeys authorized) {

  /** Adds --curve-secret-key-file and --curve-authorized-keys. */
  public static Flags declareFlags(Flags flags) {
    return flags
        .declare("curve-secret-key-file", "", "this leader's CURVE key file (from kv keygen): the replication ports "
            + "then speak CURVE only (needs --curve-authorized-keys)")
        .declare("curve-authorized-keys", "", "file of 'ID KEY' lines (kv keygen's .pub files): only these followers "
            + "may connect to the replication ports, each key as its own id (re-read when it changes)");
  }

  /**
   * Reads the flags of {@link #declareFlags}; empty when CURVE is off.
   *
   * @throws IllegalArgumentException naming the flag and file when a file is missing or wrong
   */
  public static Optional<CurveServer> fromFlags(Flags flags) {
    FlagFiles.together(flags, "curve-secret-key-file", "curve-authorized-keys",
        "without a list of followers' keys, any CURVE client could connect");
    Optional<CurveKeyPair> keys = FlagFiles.load(flags, "curve-secret-key-file", CurveKeyPair::read);
    Optional<AuthorizedKeys> authorized = FlagFiles.load(flags, "curve-authorized-keys", AuthorizedKeys::load);
    return keys.map(k -> new CurveServer(k, authorized.orElseThrow()));
  }

  /**
   * Starts the ZAP handler that checks clients' keys in {@code context}, its thread under
   * {@code supervisor}. Call before any socket of the context binds: without a handler, ZeroMQ
   * would let any CURVE client in.
   */
  public ZapHandler startAuthentication(ZContext context, Supervisor supervisor) {
    return ZapHandler.start(context, authorized, supervisor);
  }

  /** For the startup log: the leader's public key and how many follower keys are authorized. */
  public String describe() {
    return "CURVE, leader public key " + keys.publicKey() + ", " + authorized.size() + " authorized follower key(s)";
  }

  /** Makes {@code socket} a CURVE server; call before it binds. */
  public void secure(ZMQ.Socket socket) {
    socket.setCurveServer(true);
    socket.setCurvePublicKey(keys.publicKeyBytes());
    socket.setCurveSecretKey(keys.secretKeyBytes());
  }
}
