#ifndef TRAILWATCH_FUZZ_DRIVER_H
#define TRAILWATCH_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer (its `LLVMFuzzerRunDriver`) with the process arguments on `test`.
/// SwiftPM names an executable's entry point after its module, so libFuzzer's own `main`
/// cannot be used; each fuzz target's `@main` calls this instead.
int trailwatch_fuzz_run(int argc, char **argv, int (*test)(const uint8_t *data, size_t size));

#endif
