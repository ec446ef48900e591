#ifndef CCRC32_H
#define CCRC32_H

#include <stddef.h>
#include <stdint.h>

/// The CRC-32 of gzip (ISO-HDLC, reflected polynomial 0xEDB88320), continuing from `crc` (0 to
/// start), exactly as zlib's `crc32_z(crc, buf, len)`.
///
/// On x86-64 processors with carry-less multiplication (PCLMULQDQ) the bulk of the buffer is
/// folded 64 bytes at a time, several times faster than zlib's table-driven code; elsewhere
/// every byte goes through a table, and callers should prefer zlib (see
/// `trailwatch_crc32_is_accelerated`).
uint32_t trailwatch_crc32(uint32_t crc, const unsigned char *buf, size_t len);

/// Non-zero when `trailwatch_crc32` uses carry-less multiplication on this processor.
int trailwatch_crc32_is_accelerated(void);

#endif
