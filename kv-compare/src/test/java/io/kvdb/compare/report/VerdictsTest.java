package io.kvdb.compare.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VerdictsTest {
  private final Results results = new Results();

  private static Measurement rate(double opsPerSecond) {
    return new Measurement(opsPerSecond, 0.5, 1.0, 2.0, 5.0, 0, Optional.empty());
  }

  private static Measurement latency(double p99, double p999) {
    return new Measurement(1000, 0.5, p99, p999, 50, 0, Optional.empty());
  }

  private Map<String, Verdict> judge() {
    return Verdicts.judge(results, 10).stream().collect(Collectors.toMap(Verdict::target, Function.identity()));
  }

  @Test
  void setIsJudgedAgainstAQuarterOfTheCeilingAndR2AgainstSeventyPercentOfR1() {
    results.add(Row.KVDB, Column.HTTP_SET, rate(25_000));
    results.add(Row.CEILING, Column.HTTP_SET, rate(100_000));
    results.add(Row.KVDB_R2, Column.HTTP_SET, rate(17_400));
    Map<String, Verdict> v = judge();
    assertEquals(Verdict.Outcome.MET, v.get("1").outcome(), v.get("1").line());
    assertEquals("target 1: POST /set 25,000/s = 25.0% of the HTTP ceiling's 100,000/s vs needed 25%: MET",
        v.get("1").line());
    assertEquals(Verdict.Outcome.NOT_MET, v.get("1 (R=2)").outcome(), v.get("1 (R=2)").line()); // 69.6%
    assertTrue(v.get("1 (R=2)").line().endsWith("69.6% of R=1's 25,000/s vs needed 70%: NOT MET"), v.get("1 (R=2)").line());
  }

  @Test
  void getAndGrpcAreJudgedAgainstTheirOwnBases() {
    results.add(Row.KVDB, Column.HTTP_GET, rate(49_999));
    results.add(Row.CEILING, Column.HTTP_GET, rate(100_000));
    results.add(Row.KVDB, Column.GRPC_PUT, rate(5_000));
    results.add(Row.KVDB, Column.GRPC_GET, rate(8_000));
    results.add(Row.EMPTY_GRPC, Column.GRPC_PUT, rate(10_000));
    results.add(Row.EMPTY_GRPC, Column.GRPC_GET, rate(10_000));
    Map<String, Verdict> v = judge();
    assertEquals(Verdict.Outcome.NOT_MET, v.get("2").outcome());
    assertEquals(Verdict.Outcome.MET, v.get("3 (put)").outcome());
    assertEquals(Verdict.Outcome.MET, v.get("3 (get)").outcome());
  }

  @Test
  void theSessionStreamsRowIsJudgedApartAgainstTheSameEmptyCall() {
    results.add(Row.KVDB, Column.GRPC_PUT, rate(4_000));
    results.add(Row.KVDB_SESSION, Column.GRPC_PUT, rate(5_000));
    results.add(Row.KVDB_SESSION, Column.GRPC_GET, rate(7_999));
    results.add(Row.EMPTY_GRPC, Column.GRPC_PUT, rate(10_000));
    results.add(Row.EMPTY_GRPC, Column.GRPC_GET, rate(10_000));
    Map<String, Verdict> v = judge();
    assertEquals(Verdict.Outcome.NOT_MET, v.get("3 (put)").outcome());
    assertEquals("target 3 (put, Session): gRPC put on the Session stream 5,000/s = 50.0% of the empty call's"
        + " 10,000/s vs needed 50%: MET", v.get("3 (put, Session)").line());
    assertEquals(Verdict.Outcome.NOT_MET, v.get("3 (get, Session)").outcome());
  }

  @Test
  void latencyBoundsAreInclusiveAndSayHowLongTheRunsWere() {
    results.add(Row.KVDB, Column.HTTP_SET, latency(3.0, 10.0));
    results.add(Row.KVDB, Column.HTTP_GET, latency(1.51, 10.01));
    Map<String, Verdict> v = judge();
    assertEquals(Verdict.Outcome.MET, v.get("4 (/set p99)").outcome());
    assertEquals(Verdict.Outcome.MET, v.get("4 (/set p99.9)").outcome());
    assertEquals(Verdict.Outcome.NOT_MET, v.get("4 (/get p99)").outcome());
    assertEquals(Verdict.Outcome.NOT_MET, v.get("4 (/get p99.9)").outcome());
    assertEquals("target 4 (/get p99): HTTP GET /get p99 1.51 ms (10-s runs; the issue asks 60 s) vs needed <= 1.5 ms:"
        + " NOT MET", v.get("4 (/get p99)").line());
  }

  @Test
  void aMissingSideIsNotMeasuredAndSaysWhy() {
    results.add(Row.KVDB, Column.HTTP_SET, rate(1_000));
    results.unavailable(Row.CEILING, "did not start: port taken");
    results.add(Row.KVDB, Column.GRPC_PUT, new Measurement(0, 0, 0, 0, 0, 7, Optional.of("every call failed")));
    Map<String, Verdict> v = judge();
    assertEquals("target 1: NOT MEASURED: the HTTP ceiling: did not start: port taken", v.get("1").line());
    assertEquals("target 1 (R=2): NOT MEASURED: POST /set with R=2: not measured", v.get("1 (R=2)").line());
    assertEquals("target 3 (put): NOT MEASURED: gRPC put: failed: every call failed", v.get("3 (put)").line());
    assertEquals(Verdict.Outcome.NOT_MEASURED, v.get("5").outcome());
    assertEquals("target 6 (put): NOT MEASURED: kv compare --scale runs it", v.get("6 (put)").line());
  }

  @Test
  void lagIsJudgedOnTheP99OfTheHalfRateRunInclusively() {
    results.add(Row.KVDB, Column.HTTP_SET, rate(4_000));
    results.lagRun(new LagRun(2_000, 1_998, 25_000, 5.0, 40, 60, Optional.empty()));
    assertEquals("target 5: POST /set at 2,000/s (half of target 1's), made 1,998/s: replication lag p99 5.0 ms,"
        + " max 40.0 ms (25,000 acks, the leader's last 60 s) vs needed <= 5 ms: MET", judge().get("5").line());
    results.lagRun(new LagRun(2_000, 1_998, 25_000, 5.1, 40, 60, Optional.empty()));
    assertEquals(Verdict.Outcome.NOT_MET, judge().get("5").outcome());
  }

  @Test
  void lagWithoutAFigureSaysWhy() {
    assertTrue(judge().get("5").line().startsWith("target 5: NOT MEASURED: no rate of target 1 to halve: "),
        judge().get("5").line());
    results.add(Row.KVDB, Column.HTTP_SET, rate(4_000));
    assertEquals("target 5: NOT MEASURED: the half-rate run was left out (--quick, --no-lag-run)",
        judge().get("5").line());
    results.lagRun(new LagRun(2_000, 2_000, 0, 0, 0, 60, Optional.empty()));
    assertEquals("target 5: NOT MEASURED: POST /set at 2,000/s (half of target 1's): the leader's window holds no"
        + " ack", judge().get("5").line());
    results.lagRun(LagRun.failed(2_000, "GET /cluster failed after the run"));
    assertEquals(Verdict.Outcome.NOT_MEASURED, judge().get("5").outcome());
    assertTrue(judge().get("5").line().endsWith(": GET /cluster failed after the run"), judge().get("5").line());
  }

  @Test
  void scaleIsJudgedOnEightyPercentOfTheSmallStoresRatesAndTheCatchUpRate() {
    // The follower copies what the leader holds then: the stored keys and the puts' new ones.
    results.scaleRun(new ScaleRun(10_000, 1_000_000, 3, 10_000, 20_000, 8_000, 15_999, 1_100_000, 3.6, Optional.empty()));
    Map<String, Verdict> v = judge();
    assertEquals("target 6 (put): gRPC put of new keys with 1,000,000 keys stored 8,000/s = 80.0% of 10,000/s with"
        + " 10,000 (medians of 3 rounds) vs needed 80%: MET", v.get("6 (put)").line());
    assertEquals(Verdict.Outcome.NOT_MET, v.get("6 (get)").outcome(), v.get("6 (get)").line());
    assertEquals("target 6 (catch-up): a fresh follower took 1,100,000 keys in 3.60 s from its first hello = 305,556"
        + " keys/s vs needed 300,000 keys/s: MET", v.get("6 (catch-up)").line());
    results.scaleRun(new ScaleRun(10_000, 1_000_000, 1, 10_000, 20_000, 8_000, 16_000, 1_000_000, 3.4, Optional.empty()));
    assertEquals(Verdict.Outcome.MET, judge().get("6 (get)").outcome());
    assertTrue(judge().get("6 (get)").line().contains("with 10,000 (one round)"), judge().get("6 (get)").line());
    assertEquals(Verdict.Outcome.NOT_MET, judge().get("6 (catch-up)").outcome()); // 294,118 keys/s
  }

  @Test
  void aScaleRunThatStoppedSaysWhereAndKeepsTheRatesItHas() {
    results.scaleRun(ScaleRun.failed(10_000, 1_000_000, "storing 1000000 keys: every call failed"));
    assertEquals("target 6 (get): NOT MEASURED: storing 1000000 keys: every call failed", judge().get("6 (get)").line());
    results.scaleRun(new ScaleRun(10_000, 1_000_000, 3, 10_000, 20_000, 9_000, 19_000, 1_000_000, 0,
        Optional.of("not caught up after 10 min")));
    Map<String, Verdict> v = judge();
    assertEquals(Verdict.Outcome.MET, v.get("6 (put)").outcome());
    assertEquals("target 6 (catch-up): NOT MEASURED: a fresh follower: not caught up after 10 min",
        v.get("6 (catch-up)").line());
  }

  @Test
  void everyTargetOfTheIssueHasALineInOrder() {
    List<String> targets = Verdicts.judge(results, 10).stream().map(Verdict::target).toList();
    assertEquals(List.of("1", "1 (R=2)", "2", "3 (put)", "3 (get)", "3 (put, Session)", "3 (get, Session)",
        "4 (/set p99)", "4 (/get p99)", "4 (/set p99.9)", "4 (/get p99.9)", "5", "6 (put)", "6 (get)", "6 (catch-up)"),
        targets);
  }
}
