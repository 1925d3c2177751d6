/*
 * fuzz.h — what every fuzz target in tests/fuzz/ defines: the libFuzzer
 * entry point.  A target is one file, fuzz_NAME.c, with a seed corpus in
 * tests/fuzz/corpus/NAME/.  `make fuzz` links it with clang's libFuzzer;
 * `make check` links it with driver.c, which replays the corpus.
 *
 * A target returns 0 for every input; it reports a bug by crashing (the
 * sanitizers) or through FUZZ_ASSERT when a property of the output fails.
 */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold whatever the input: abort (a finding) when it does not. */
#define FUZZ_ASSERT(cond)                                                             \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#endif
