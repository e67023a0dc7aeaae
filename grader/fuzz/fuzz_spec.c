/*
 * fuzz_spec.c - libFuzzer target for the spec loader: any bytes given to
 * spec_parse() must give a spec or a located error, never a crash, a leak
 * or a hang. Built by `make fuzz` (clang -fsanitize=fuzzer,address).
 */
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = NULL;
	struct error e;

	error_init(&e);
	/* dir must exist (it is resolved first); "/" has no data/ files, so
	 * file: texts fail cleanly, and nothing is ever written there */
	if (spec_parse((const char *)data, size, "fuzz.yaml", "/",
		       &s, &e) == 0)
		spec_free(s);
	return 0;
}
