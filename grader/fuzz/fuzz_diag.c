/*
 * fuzz_diag.c - libFuzzer target for the tool-log parser: a sanitizer or
 * valgrind log is written by a process the student controls, so diag_parse()
 * must survive any bytes. The first byte picks the variant (the parser
 * differs per tool); the rest is the log. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sources[] = { "echo.c", "main.c", NULL };
	struct finding *list = NULL;
	size_t n = 0, i;
	enum variant v;

	if (size < 1)
		return 0;
	v = (enum variant)(data[0] % VARIANT__COUNT);
	diag_parse(v, (const char *)data + 1, size - 1,
		   (data[0] & 0x80) ? NULL : sources, &list, &n);
	diag_dedup(list, &n);
	for (i = 0; i < n; i++)
		finding_release(&list[i]);
	free(list);
	return 0;
}
