package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.system.FaultSummary.Row;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite: each scenario runs a history-checked load (workers own their keys; a write
 * that failed is allowed either outcome), injects a fault, heals it, lets the load go on until
 * {@value #AFTER_HEAL} more writes are acknowledged, stops it and waits until every follower equals
 * the leader by digest. Then no acknowledged write may be lost and no acknowledged delete undone.
 * A table of the figures is printed at the end.
 *
 * <p>Short form in every build; {@code mvn -Psoak verify} runs the long one (see {@link Scale}).
 * The disk scenarios (6) are in {@link DiskFaultScenarios}.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
  static final Duration CONVERGE = Duration.ofSeconds(120);
  static final int AFTER_HEAL = 500;
  private static final int MAX_OPS_PER_WORKER = 1_000_000; // bounded; scenarios stop the load themselves
  private static final String[] FOLLOWERS = {"f1", "f2", "f3"};

  @TempDir static Path dir; // static: one dir for the whole class, as the loopback cluster outlives each test
  private final Scale scale = Scale.current();
  private final Random random = new Random(Long.getLong("kvdb.fault.seed", 20240611L));
  private final FaultSummary summary = new FaultSummary();
  private TestCluster loopback;
  private Load beforeFaults;

  /** Leader and three followers on 127.0.0.1, R=2, shared by the scenarios that do not need hosts of their own. */
  private TestCluster loopback() {
    if (loopback == null) {
      // A short backlog, so that a follower far behind (or rebuilt from nothing) takes snapshots.
      loopback = started(new TestCluster(dir.resolve("loopback"), "--shards", "16", "--replication-factor", "2",
          "--dead-timeout-ms", "3000", "--backlog-events", "500"));
      int workers = 16;
      beforeFaults = new Load(loopback.client(), "s0", workers, scale.keysBeforeFaults() / workers).everyKeyFirst()
          .run(scale.keysBeforeFaults() / workers);
    }
    return loopback;
  }

  static TestCluster started(TestCluster cluster) {
    cluster.startLeader();
    for (String id : FOLLOWERS) {
      cluster.addFollower(id);
    }
    for (String id : FOLLOWERS) {
      cluster.awaitAlive(id);
    }
    Convergence.await(cluster, CONVERGE);
    return cluster;
  }

  @AfterAll
  void printSummary() throws Exception {
    if (loopback != null) {
      loopback.close();
    }
    String table = "\nFault suite (" + (scale == Scale.SOAK ? "soak" : "short form") + "):\n" + summary.table();
    System.out.println(table);
    Files.writeString(Path.of("target", "fault-suite-summary.txt"), table);
  }

  @Test
  @Order(1)
  void followersKilledAtRandomMomentsLoseNothing() {
    TestCluster cluster = loopback();
    Load load = load(cluster, "s1");
    for (int i = 0; i < scale.followerKills(); i++) {
      awaitProgress(cluster, load, 200 + random.nextInt(1500)); // a random moment, by progress
      TestCluster.Follower victim = cluster.follower(FOLLOWERS[random.nextInt(FOLLOWERS.length)]);
      victim.process.kill();
      victim.start();
    }
    long healed = System.nanoTime();
    for (String id : FOLLOWERS) {
      cluster.awaitAlive(id);
    }
    finish("1. kill -9 a follower, x" + scale.followerKills(), cluster, load, healed);
  }

  @Test
  @Order(3)
  void followerStoppedPastTheDeadTimeoutRejoins() {
    TestCluster cluster = loopback();
    TestCluster.Follower victim = cluster.follower("f2");
    Load load = load(cluster, "s3");
    awaitProgress(cluster, load, 300);
    victim.process.pause();
    try {
      cluster.await("the leader declares the stopped f2 dead", Duration.ofSeconds(60),
          () -> !cluster.info("f2").getAlive());
      TestCluster.sleep(scale.stopBeyondDeadTimeout().toMillis()); // the fault's length, not a wait for anything
    } finally {
      victim.process.resume();
    }
    long healed = System.nanoTime();
    cluster.awaitAlive("f2");
    finish("3. SIGSTOP a follower past the dead timeout", cluster, load, healed);
    assertTrue(victim.process.isAlive(), "the same f2 process rejoined");
  }

  @Test
  @Order(2)
  void leaderKilledUnderLoadInDurableModeLosesNoAcknowledgedWrite() {
    TestCluster cluster = loopback();
    assertTrue(cluster.status().getDurable(), "the leader syncs before it acknowledges");
    Load load = load(cluster, "s2");
    for (int i = 0; i < scale.leaderKills(); i++) {
      awaitProgress(cluster, load, 300 + random.nextInt(1500));
      cluster.leader().kill();
      cluster.startLeader();
    }
    long healed = System.nanoTime();
    for (String id : FOLLOWERS) {
      cluster.awaitAlive(id); // the same follower processes, back with the new leader run
    }
    finish("2. kill -9 the leader (sync), x" + scale.leaderKills(), cluster, load, healed);
  }

  @Test
  @Order(4)
  void gatewayAndThenLeaderKilledUnderHttpLoadGiveErrorsNotHangs() {
    TestCluster cluster = loopback();
    cluster.startGateway();
    HttpWriter http = new HttpWriter("http://127.0.0.1:" + cluster.gatewayPort);
    Load load = new Load(http, "s4", scale.workers(), scale.keysPerWorker()).start(MAX_OPS_PER_WORKER);
    awaitProgress(cluster, load, 300 + random.nextInt(1000));
    cluster.gateway().kill();
    cluster.await("clients are refused while the gateway is down", Duration.ofSeconds(60),
        () -> http.failures("connection refused") > 0);
    cluster.startGateway();
    awaitProgress(cluster, load, 300 + random.nextInt(1000));
    cluster.leader().kill();
    cluster.await("the gateway answers 503 while the leader is down", Duration.ofSeconds(60),
        () -> http.failures("HTTP 503") > 0);
    cluster.startLeader();
    long healed = System.nanoTime();
    for (String id : FOLLOWERS) {
      cluster.awaitAlive(id);
    }
    finish("4. kill -9 the gateway, then the leader (HTTP)", cluster, load, healed);
    System.out.println("gateway scenario: HTTP failures by kind " + http.failures() + ", e.g. " + http.examples());
    assertEquals(0, http.failures("timeout"), "errors, not hangs: " + http.failures());
    assertEquals(0, http.failures("HTTP 500"), "a lost leader is a 503, not a gateway error: " + http.examples());
  }

  @Test
  @Order(5)
  void followerCutOffTheNetworkRejoinsWhenItsLinkIsBack() throws Exception {
    Files.createDirectories(dir.resolve("sockets"));
    try (NetnsNetwork network = NetnsNetwork.create(dir.resolve("sockets"), TestCluster.LEADER, "f1", "f2", "f3",
            TestCluster.GATEWAY);
        TestCluster cluster = started(new TestCluster(dir.resolve("netns"), network, "--shards", "16",
            "--replication-factor", "2", "--dead-timeout-ms", "3000"))) {
      gatewayOnItsOwnHostServesTheCluster(network, cluster.startGateway());
      Load load = load(cluster, "s5");
      awaitProgress(cluster, load, 300);
      long cutAt = System.nanoTime();
      network.cut("f1");
      try {
        cluster.await("the leader declares f1 dead", Duration.ofSeconds(60), () -> !cluster.info("f1").getAlive());
        long left = scale.linkCut().toMillis() - Duration.ofNanos(System.nanoTime() - cutAt).toMillis();
        TestCluster.sleep(Math.max(0, left)); // the rest of the cut's length
      } finally {
        network.restore("f1");
      }
      long healed = System.nanoTime();
      cluster.awaitAlive("f1");
      finish("5. cut a follower's link for " + scale.linkCut().toSeconds() + " s (netns hosts)", cluster, load, healed);
    }
  }

  /** The gateway, on a host of its own, reaches the leader across the bridge; the followers show their addresses. */
  private static void gatewayOnItsOwnHostServesTheCluster(NetnsNetwork network, TestCluster cluster) {
    UnixDomainSocketAddress gateway = UnixDomainSocketAddress.of(network.socket(TestCluster.GATEWAY, cluster.gatewayPort));
    RawHttp.Reply set = RawHttp.exchange(gateway, "POST", "/set", "{\"key\": \"s5-gateway\", \"value\": \"across hosts\"}");
    assertEquals(200, set.status(), set.body());
    RawHttp.Reply get = RawHttp.exchange(gateway, "GET", "/get/s5-gateway", null);
    assertEquals(200, get.status(), get.body());
    assertTrue(get.body().contains("across hosts"), get.body());
    RawHttp.Reply status = RawHttp.exchange(gateway, "GET", "/cluster", null);
    assertEquals(200, status.status(), status.body());
    for (String id : FOLLOWERS) {
      assertTrue(status.body().contains(network.address(id)), id + " at " + network.address(id) + " in " + status.body());
    }
  }

  @Test
  @Order(6)
  void leaderDataDirReadOnlyOrFullAtStartIsAClearErrorAndKeepsItsData() throws Exception {
    disk().leaderRefusesAReadOnlyOrFullDataDirAndKeepsItsData();
  }

  @Test
  @Order(7)
  void leaderDiskFillingUpUnderLoadRefusesWritesAndLosesNothing() throws Exception {
    disk().leaderRefusesWritesWhileItsDiskIsFullAndResumes();
  }

  @Test
  @Order(8)
  void followerDiskFillingUpUnderLoadPausesItAndItCatchesUp() throws Exception {
    disk().followerStopsApplyingWhileItsDiskIsFullAndCatchesUp();
  }

  @Test
  @Order(9)
  void followerWithAGarbageCurrentFileRebuildsFromTheLeader() throws Exception {
    disk().damagedFollowerDataDirIsSetAsideAndRebuilt(loopback(), true);
  }

  @Test
  @Order(10)
  void followerWithAGarbageDataFileRebuildsFromTheLeader() throws Exception {
    disk().damagedFollowerDataDirIsSetAsideAndRebuilt(loopback(), false);
  }

  private DiskFaultScenarios disk() {
    return new DiskFaultScenarios(dir.resolve("disk"), random, summary);
  }

  @Test
  @Order(11)
  void keysWrittenBeforeTheFaultsSurviveThemAll() {
    TestCluster cluster = loopback();
    long start = System.nanoTime();
    Convergence.await(cluster, CONVERGE);
    Load.Verdict verdict = beforeFaults.verify(cluster.client());
    summary.add(new Row("0. keys written before the faults above", beforeFaults.acknowledged(), beforeFaults.failed(),
        beforeFaults.keysTouched(), verdict.lost(), verdict.resurrected(), Duration.ofNanos(System.nanoTime() - start)));
    assertEquals(scale.keysBeforeFaults(), beforeFaults.keysTouched());
    assertEquals(0, verdict.lost() + verdict.resurrected(), verdict.examples().toString());
  }

  private Load load(TestCluster cluster, String prefix) {
    return new Load(cluster.client(), prefix, scale.workers(), scale.keysPerWorker()).start(MAX_OPS_PER_WORKER);
  }

  /** Waits until the load has acknowledged {@code more} writes: moments chosen by progress, not by the clock. */
  static void awaitProgress(TestCluster cluster, Load load, long more) {
    long target = load.acknowledged() + more;
    cluster.await(target + " writes acknowledged", Duration.ofSeconds(120), () -> load.acknowledged() >= target);
  }

  /** Lets the load go on after the heal, stops it, waits for convergence, checks and records the scenario. */
  static void finish(String scenario, TestCluster cluster, Load load, long healedNanos, FaultSummary summary) {
    awaitProgress(cluster, load, AFTER_HEAL);
    load.stop();
    Convergence.await(cluster, CONVERGE);
    Duration converged = Duration.ofNanos(System.nanoTime() - healedNanos);
    Load.Verdict verdict = load.verify(cluster.client());
    summary.add(new Row(scenario, load.acknowledged(), load.failed(), load.keysTouched(), verdict.lost(),
        verdict.resurrected(), converged));
    assertEquals(0, verdict.lost(), () -> scenario + ": acknowledged writes lost: " + verdict.examples());
    assertEquals(0, verdict.resurrected(), () -> scenario + ": deleted keys back: " + verdict.examples());
  }

  private void finish(String scenario, TestCluster cluster, Load load, long healedNanos) {
    finish(scenario, cluster, load, healedNanos, summary);
  }

}
