package io.kvdb.leader;

import io.kvdb.core.security.CurveKeyPair;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code kv keygen DIR [NAME...]}: makes a CURVE key pair per name for secured replication:
 * {@code DIR/NAME.key} (secret, owner-only) and {@code DIR/NAME.pub} (the line {@code NAME KEY}, which
 * the leader's authorized keys file takes as is, binding the key to follower id NAME). Never
 * overwrites a file. Exit codes: 0 done, 2 bad arguments or a file already there.
 */
public final class KeyGen {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private KeyGen() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.err.println("""
          usage: kv keygen DIR [NAME...]
            writes DIR/NAME.key (CURVE key pair, keep it secret) and DIR/NAME.pub ('NAME KEY') per NAME
            (default NAME: node). A follower's NAME is its --id. Example for a leader and two followers:
              kv keygen keys leader f1 f2
              cat keys/f1.pub keys/f2.pub > keys/authorized_keys
              kv leader   --curve-secret-key-file keys/leader.key --curve-authorized-keys keys/authorized_keys
              kv follower --id f1 --curve-key-file keys/f1.key --leader-curve-public-key keys/leader.pub""");
      System.exit(args.length == 0 ? 2 : 0);
      return;
    }
    Path dir = Path.of(args[0]);
    List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("node");
    for (String name : names) {
      if (!NAME.matcher(name).matches()) {
        fail("key name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
      }
    }
    try {
      Files.createDirectories(dir);
      for (String name : names) {
        Path keyFile = dir.resolve(name + ".key");
        Path publicFile = dir.resolve(name + ".pub");
        CurveKeyPair keys = CurveKeyPair.generate();
        keys.write(keyFile, publicFile, name);
        System.out.println("wrote " + keyFile + " (secret) and " + publicFile + ": " + keys.publicKey());
      }
    } catch (FileAlreadyExistsException e) {
      fail(e.getFile() + " already exists; keys are never overwritten (remove it first to replace the key)");
    } catch (IOException e) {
      fail("cannot write keys in " + dir + ": " + e);
    }
  }

  private static void fail(String message) {
    System.err.println("kv keygen: " + message);
    System.exit(2);
  }
}
