// FUZZ_CHECK: an invariant of a fuzz target. Unlike assert() it holds in every build type, and a
// failure aborts, which libFuzzer reports as a crash (and saves the input) and the replay runner
// reports as a failed test.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

#define FUZZ_FAIL(what)                                                                   \
  do {                                                                                    \
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, what); \
    std::abort();                                                                         \
  } while (0)
