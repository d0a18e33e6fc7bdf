package io.kvdb.leader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The repository's README.md cut into sections and fenced code blocks, for tests that keep it true. */
final class Readme {
  /** A fenced block: its language tag (may be empty), its text, and the heading it sits under. */
  record Block(String language, String text, String section) {}

  final List<String> sections = new ArrayList<>();
  final List<Block> blocks = new ArrayList<>();

  static Path repoRoot() {
    // Tests run in the module's directory.
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("README.md")) ? here : here.getParent();
  }

  static Readme load() throws IOException {
    Readme readme = new Readme();
    List<String> lines = Files.readAllLines(repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
    String section = "";
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        section = line.replaceFirst("^#+\\s*", "");
        readme.sections.add(section);
      } else if (line.startsWith("```")) {
        String language = line.substring(3).trim();
        StringBuilder text = new StringBuilder();
        for (i++; !lines.get(i).startsWith("```"); i++) {
          text.append(lines.get(i)).append('\n');
        }
        readme.blocks.add(new Block(language, text.toString(), section));
      }
    }
    return readme;
  }

  List<Block> blocksUnder(String section) {
    return blocks.stream().filter(block -> block.section().equals(section)).toList();
  }
}
