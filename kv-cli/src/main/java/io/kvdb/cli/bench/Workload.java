package io.kvdb.cli.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The shapes of load {@code kv bench} offers: YCSB's load phase and its workloads C, A and B. */
public enum Workload {
  /** Puts of distinct keys, nothing read (YCSB load). */
  LOAD("load", 0),
  /** Gets only, of keys stored first (YCSB C). */
  READ("read", 100),
  /** Half gets, half puts of stored keys (YCSB A). */
  UPDATE("update", 50),
  /** 95% gets, 5% puts of stored keys (YCSB B). */
  READ_MOSTLY("read-mostly", 95);

  private final String flag;
  private final int readPercent;

  Workload(String flag, int readPercent) {
    this.flag = flag;
    this.readPercent = readPercent;
  }

  /** The name {@code --workload} takes. */
  public String flag() {
    return flag;
  }

  /** Of every 100 operations, how many are gets. */
  int readPercent() {
    return readPercent;
  }

  /** Whether its keys are stored (untimed) before the measured run. */
  boolean readsStoredKeys() {
    return this != LOAD;
  }

  /**
   * @throws IllegalArgumentException naming the choices for any other name
   */
  static Workload of(String flag) {
    for (Workload w : values()) {
      if (w.flag.equals(flag)) {
        return w;
      }
    }
    throw new IllegalArgumentException("--workload must be one of " + names() + ", got '" + flag + "'");
  }

  private static String names() {
    return Arrays.stream(values()).map(Workload::flag).collect(Collectors.joining(", "));
  }
}
