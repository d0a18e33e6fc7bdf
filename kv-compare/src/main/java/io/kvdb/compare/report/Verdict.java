package io.kvdb.compare.report;

/**
 * The outcome of one target of the issue, as the comparison prints it:
 * {@code target N: X vs needed Y: MET} (or {@code NOT MET}), or {@code target N: NOT MEASURED: why}.
 *
 * @param target the target's number and, where it has parts, which part: {@code 1 (R=2)}
 * @param outcome met, not met, or not measured
 * @param measured what was measured (X), or why nothing was
 * @param needed what the target asks (Y); empty when not measured
 */
public record Verdict(String target, Outcome outcome, String measured, String needed) {
  /** Whether a target holds. */
  public enum Outcome {
    MET("MET"),
    NOT_MET("NOT MET"),
    NOT_MEASURED("NOT MEASURED");

    private final String text;

    Outcome(String text) {
      this.text = text;
    }

    /** As printed. */
    public String text() {
      return text;
    }
  }

  /** A target measured: met when {@code holds}. */
  static Verdict of(String target, boolean holds, String measured, String needed) {
    return new Verdict(target, holds ? Outcome.MET : Outcome.NOT_MET, measured, needed);
  }

  /** A target with no figure, saying why. */
  static Verdict notMeasured(String target, String why) {
    return new Verdict(target, Outcome.NOT_MEASURED, why, "");
  }

  /** The line the comparison prints. */
  public String line() {
    return outcome == Outcome.NOT_MEASURED ? "target " + target + ": NOT MEASURED: " + measured
        : "target " + target + ": " + measured + " vs needed " + needed + ": " + outcome.text();
  }
}
