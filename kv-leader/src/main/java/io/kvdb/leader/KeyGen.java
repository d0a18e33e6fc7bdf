package io.kvdb.leader;

import io.kvdb.common.config.Flags;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.security.CurveKeyPair;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code kv keygen DIR [NAME...]}: makes a CURVE key pair per name for secured replication:
 * {@code DIR/NAME.key} (secret, owner-only) and {@code DIR/NAME.pub} ({@code NAME KEY}, a line of an authorized-keys file). Never
 * overwrites a file. Exit codes: 0 done, 2 bad arguments or a file already there.
 */
public final class KeyGen {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String USAGE = """
      usage: kv keygen DIR [NAME...]
        writes DIR/NAME.key (CURVE key pair, keep it secret) and DIR/NAME.pub ('NAME KEY') per NAME
        (default NAME: node). A follower's NAME is its --id. Example for a leader and two followers:
          kv keygen keys leader f1 f2
          cat keys/f1.pub keys/f2.pub > keys/authorized_keys
          kv leader   --curve-secret-key-file keys/leader.key --curve-authorized-keys keys/authorized_keys
          kv follower --id f1 --curve-key-file keys/f1.key --leader-curve-public-key keys/leader.pub""";

  private KeyGen() {}

  public static void main(String[] args) {
    Flags flags = new Flags("kv keygen").operands("DIR [NAME...]");
    boolean run;
    try {
      run = flags.parse(args);
    } catch (IllegalArgumentException e) {
      fail(e.getMessage());
      return;
    }
    if (!run || flags.operands().isEmpty()) {
      System.err.println(USAGE);
      System.exit(run ? ExitCodes.BAD_INPUT : ExitCodes.OK);
      return;
    }
    List<String> operands = flags.operands();
    Path dir = Path.of(operands.get(0));
    List<String> names = operands.size() > 1 ? operands.subList(1, operands.size()) : List.of("node");
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
    System.exit(ExitCodes.BAD_INPUT);
  }
}
