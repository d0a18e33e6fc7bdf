package io.kvdb.common.process;

/**
 * The exit statuses of every kvdb process, servers and the CLI alike, so that a supervisor (systemd,
 * a script) can tell a restart-worthy failure from a mistake that a restart will not cure.
 */
public final class ExitCodes {
  /** Done; for the CLI, the command did what it was asked. */
  public static final int OK = 0;
  /**
   * The command ran but found a problem (the CLI: the key is not found, verify found differences or
   * could not ask a follower).
   */
  public static final int FAILED = 1;
  /** Bad input: an unknown flag, a bad value, a missing or unreadable file. A restart will not help. */
  public static final int BAD_INPUT = 2;
  /** The data dir cannot be used (corrupt, another version, locked by another process). */
  public static final int DATA_DIR = 3;
  /**
   * The CLI, which has no data dir: the server refused the call (a bad request, a missing or
   * read-only token) or could not be reached.
   */
  public static final int REFUSED = 3;
  /** A port or another resource cannot be had; for the CLI, a compare-and-set conflict. */
  public static final int UNAVAILABLE = 4;
  /**
   * A thread that the process owns died (an internal error, as sysexits' EX_SOFTWARE): the process
   * stops serving and exits so that its supervisor restarts it.
   */
  public static final int THREAD_DIED = 70;

  private ExitCodes() {}
}
