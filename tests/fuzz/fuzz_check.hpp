#pragma once
// Invariant checks for the fuzz targets: a failed one names itself, then
// aborts so libFuzzer records the input as a crash.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                       \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);       \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)
