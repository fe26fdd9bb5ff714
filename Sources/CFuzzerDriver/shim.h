// libFuzzer's driver, which `-sanitize=fuzzer` links: the fuzz target's own `main` hands it the
// command line and the function to call per input (SwiftPM names an executable's entry point
// itself, so libFuzzer's `main` cannot be used). Only the FerryFuzz target imports this.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
