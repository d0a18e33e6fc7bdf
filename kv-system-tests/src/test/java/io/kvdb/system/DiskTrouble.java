package io.kvdb.system;

import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Ways the fault suite damages a disk or a data dir, and a leader started to see it refuse. */
final class DiskTrouble {
  private DiskTrouble() {}

  /**
   * Starts a leader on {@code dataDir} that is expected to refuse to start, and returns it once it
   * exited (or fails if it keeps running).
   */
  static JavaProcess leaderThatMustExit(Path logDir, Path dataDir, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1",
        "--grpc-port", Integer.toString(FreePorts.next()), "--pub-port", Integer.toString(FreePorts.next()),
        "--control-port", Integer.toString(FreePorts.next()), "--metrics-port", Integer.toString(FreePorts.next()),
        "--data-dir", dataDir.toString()));
    args.addAll(List.of(extraArgs));
    JavaProcess leader = JavaProcess.start("refused-leader", JavaProcess.jarOf("kv-leader"), logDir,
        args.toArray(String[]::new));
    if (!leader.waitFor(Duration.ofSeconds(60))) {
      leader.kill();
      throw new AssertionError("the leader kept running on a data dir it should refuse:\n" + leader.log());
    }
    return leader;
  }

  /**
   * Writes zeros to {@code file} until {@code maxBytes} or until the disk is full, whichever comes
   * first, and returns the bytes written: they are taken from the disk's free space at once.
   */
  static long fill(Path file, long maxBytes) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (written < maxBytes) {
        int length = (int) Math.min(chunk.length, maxBytes - written);
        out.write(chunk, 0, length);
        written += length;
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
    return written;
  }

  /** Replaces LevelDB's CURRENT file (which names the live manifest) with random bytes. */
  static Path garbageCurrent(Path dataDir, Random random) throws IOException {
    byte[] garbage = new byte[1 + random.nextInt(64)];
    random.nextBytes(garbage);
    Path current = dataDir.resolve("CURRENT");
    Files.write(current, garbage);
    return current;
  }

  /** Overwrites 4 KiB in the middle of the biggest table or log file of a LevelDB dir with random bytes. */
  static Path garbageInBiggestDataFile(Path dataDir, Random random) throws IOException {
    Path biggest;
    try (Stream<Path> files = Files.list(dataDir)) {
      biggest = files.filter(f -> f.toString().endsWith(".ldb") || f.toString().endsWith(".sst")
              || f.toString().endsWith(".log"))
          .max(Comparator.comparingLong(DiskTrouble::size))
          .orElseThrow(() -> new IllegalStateException("no table or log file in " + dataDir));
    }
    byte[] garbage = new byte[4096];
    random.nextBytes(garbage);
    try (RandomAccessFile file = new RandomAccessFile(biggest.toFile(), "rw")) {
      long at = Math.max(0, file.length() / 2 - garbage.length / 2);
      file.seek(at);
      file.write(garbage, 0, (int) Math.min(garbage.length, file.length() - at));
    }
    return biggest;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
