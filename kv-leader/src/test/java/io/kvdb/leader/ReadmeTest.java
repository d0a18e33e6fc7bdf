package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README says what the code does: its commands, its Java example and its flags. */
@Timeout(60)
class ReadmeTest {
  @RegisterExtension
  static final TestLeader leader = TestLeader.overLoopback(config -> TestLeader.withShards(config, OptionalInt.empty()));

  @Test
  void firstSectionGivesExactlyTheRunAndTestCommands() throws Exception {
    Readme readme = Readme.load();
    String first = readme.sections.get(1);  // after the title
    List<Readme.Block> blocks = readme.blocksUnder(first);
    assertEquals(1, blocks.size(), "one code block in '" + first + "'");
    assertEquals("./kv local\nmvn -B verify\n", blocks.get(0).text());
  }

  @Test
  void ciRunsTheReadmeTestCommand() throws Exception {
    List<String> commands = Files.readAllLines(Readme.repoRoot().resolve(".ci/run"), StandardCharsets.UTF_8).stream()
        .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    assertEquals("mvn -B verify", commands.get(commands.size() - 1));
  }

  @Test
  void leaderFlagsSectionIsTheHelpOutput() throws Exception {
    List<Readme.Block> blocks = Readme.load().blocksUnder("Leader flags");
    assertEquals(1, blocks.size());
    assertEquals(LeaderConfig.flags().usage(), blocks.get(0).text());
  }

  @Test
  void javaExampleIsTheOneThisModuleCompiles() throws Exception {
    Readme.Block java = Readme.load().blocksUnder("Java").stream()
        .filter(block -> block.language().equals("java")).findFirst().orElseThrow();
    String source = Files.readString(Readme.repoRoot().resolve("kv-leader/src/test/java/io/kvdb/leader/KvExample.java"));
    String withoutPackage = source.substring(source.indexOf("\n\n") + 2);
    assertEquals(withoutPackage, java.text());
  }

  @Test
  void javaExamplePrintsWhatTheReadmeShows() throws Exception {
    List<Readme.Block> blocks = Readme.load().blocksUnder("Java");
    String shown = blocks.get(blocks.size() - 1).text();
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      KvExample.main(new String[] {"127.0.0.1:" + leader.server().grpcPort()});
    } finally {
      System.setOut(original);
    }
    assertEquals(shown, printed.toString(StandardCharsets.UTF_8));
    assertTrue(shown.startsWith("stored in shard 35 at seq 1\n"), "a fresh leader with the default 64 shards");
  }
}
