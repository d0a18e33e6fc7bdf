package io.kvdb.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.common.process.ExitCodes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SupervisorTest {
  @Test
  void aThreadThatThrowsRunsTheHooksInOrderThenExitsWithSeventy() throws Exception {
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    Supervisor supervisor = new Supervisor("test", status -> {
      seen.add("exit");
      exited.complete(status);
    });
    supervisor.onDeath(() -> seen.add("health"));
    supervisor.onDeath(() -> seen.add("withdraw"));

    supervisor.start("kv-test-loop", () -> {
      throw new IllegalStateException("boom");
    });

    assertEquals(ExitCodes.THREAD_DIED, exited.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("health", "withdraw", "exit"), seen);
    Supervisor.Death death = supervisor.death().orElseThrow();
    assertEquals("kv-test-loop", death.thread());
    assertTrue(death.describe().contains("boom"), death.describe());
  }

  @Test
  void aThreadThatReturnsWhileServingIsADeath() throws Exception {
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    Supervisor supervisor = new Supervisor("test", exited::complete);
    supervisor.start("kv-quitter", () -> {});
    assertEquals(ExitCodes.THREAD_DIED, exited.get(10, TimeUnit.SECONDS));
    assertTrue(supervisor.death().orElseThrow().describe().contains("returned"));
  }

  @Test
  void threadsThatEndWhileStoppingAreNotDeaths() throws Exception {
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    Supervisor supervisor = new Supervisor("test", exited::complete);
    CountDownLatch release = new CountDownLatch(1);
    Thread thread = supervisor.start("kv-stopping", () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("socket closed under me");
    });
    supervisor.stopping();
    release.countDown();
    thread.join(10_000);
    assertFalse(thread.isAlive());
    assertTrue(supervisor.death().isEmpty());
    assertFalse(exited.isDone());
  }
}
