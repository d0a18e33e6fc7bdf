package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class StoredValueTest {
  @Test
  void encodingIsVersionThenExpiryThenValueAndRoundTrips() {
    StoredValue value = new StoredValue(new byte[] {7, 8, 9}, 0x0102030405060708L, 1_900_000_000_000L);
    byte[] encoded = value.encode();
    assertEquals(StoredValue.HEADER_BYTES + 3, encoded.length);
    ByteBuffer header = ByteBuffer.wrap(encoded);
    assertEquals(0x0102030405060708L, header.getLong(), "version first, u64 big-endian");
    assertEquals(1_900_000_000_000L, header.getLong(), "then expires_at_ms");
    assertEquals(value, StoredValue.decode(encoded));
    assertEquals(0x0102030405060708L, StoredValue.versionOf(encoded));
  }

  @Test
  void emptyValueAndLargestVersionRoundTrip() {
    StoredValue value = new StoredValue(new byte[0], Long.MAX_VALUE, 0);
    assertArrayEquals(new byte[0], StoredValue.decode(value.encode()).value());
    assertEquals(Long.MAX_VALUE, StoredValue.decode(value.encode()).version());
  }

  @Test
  void aRecordShorterThanTheHeaderIsADamagedDataDir() {
    StorageException e = assertThrows(StorageException.class, () -> StoredValue.decode(new byte[] {1, 2, 3}));
    assertTrue(e.getMessage().contains("shorter than its 16-byte header"), e.getMessage());
  }
}
