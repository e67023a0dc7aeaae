/*
 * toolchain.h - does each build variant actually work on this machine?
 *
 * A grader that silently runs ASan-less or valgrind-less would give every
 * student a clean bill of health, so before trusting a variant the grader
 * probes it once: a tiny program is compiled in a temporary directory with
 * the very command build.c uses,
 *
 *   cc -std=gnu11 -Wall -Wextra -pthread <build_variant_flags(v)> -o t t.c -lrt
 *
 * and run the way grade.c runs a test (the prefix and environment of
 * variant_prepare(), logs in a log directory). A variant works when
 *   - the correct program exits 0 with the expected output and no report,
 *   - a deliberately buggy one is reported by the tool (asan: a heap
 *     overflow; tsan, helgrind, drd: a two-thread counter race; memcheck: a
 *     leak) with VARIANT_TOOL_EXIT and a log in the log directory.
 * The plain variant has no tool, so only the first part applies.
 *
 * Kernels with vm.mmap_rnd_bits >= 32 make the ASan/TSan runtimes of gcc 12
 * and clang 14 die at start-up ("FATAL: ThreadSanitizer: unexpected memory
 * mapping"). When an asan/tsan probe fails that way the probe is retried
 * under `setarch <machine> -R` (personality(ADDR_NO_RANDOMIZE)); if that
 * works the variant is TOOLCHAIN_DEGRADED and toolchain_prefix() returns the
 * setarch prefix, which grade.c prepends to the command of every run.
 *
 * Results are cached for the life of the process (a static table guarded
 * by a mutex), so grading many submissions probes each variant once. With
 * GRADER_TOOLCHAIN_CACHE=FILE they are also shared between processes:
 * read from FILE when its key (grader version, host, kernel, compiler and
 * valgrind binaries) matches, written to it after probing. `grader batch`
 * probes once and hands its file to every `grade` child.
 *
 * Ownership: everything returned points into the module's static table; the
 * caller frees nothing and must not modify it.
 *
 * GRADER_CC in the environment overrides the compiler of the probes only
 * (build.c always uses /usr/bin/cc); it exists to show what a broken
 * compiler looks like without breaking the machine.
 */
#ifndef GRADER_TOOLCHAIN_H
#define GRADER_TOOLCHAIN_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

enum toolchain_state {
	TOOLCHAIN_OK = 0,
	TOOLCHAIN_DEGRADED, /* works, with a workaround or reduced guarantees */
	TOOLCHAIN_MISSING,  /* something is not installed */
	TOOLCHAIN_BROKEN,   /* installed but does not work */
};
/* "OK", "DEGRADED", "MISSING", "BROKEN". */
const char *toolchain_state_name(enum toolchain_state s);

struct toolchain_status {
	enum variant v;
	int probed;        /* 0: never asked for; the other fields are empty */
	int ok;            /* the variant can be trusted (OK or DEGRADED) */
	enum toolchain_state state;
	char *problem;     /* NULL when OK; else what is wrong and how to fix
			      it, or which workaround is in use (DEGRADED) */
	double seconds;    /* wall time of this variant's probe */
};

/* Probes the variants of variants_mask (VARIANT_BIT()s) that were not
 * probed before in this process. *out is the cached table, indexed by
 * enum variant, and *n is VARIANT__COUNT; entries never asked for have
 * probed == 0. The same pointer is returned on every call.
 * Returns 0 -- a variant that does not work is a status, not an error --
 * or -1 with e filled on a fault of the grader (no temporary directory,
 * a program could not be spawned at all). */
int toolchain_check(unsigned variants_mask, struct toolchain_status **out,
		    size_t *n, struct error *e);

/* Arguments to put before the command (before a valgrind prefix too) of
 * every run of variant v: empty, or `setarch <machine> -R` when the probe
 * found that only works with address randomisation disabled. Always a
 * NULL-terminated static array (empty before v was probed). */
const char *const *toolchain_prefix(enum variant v);

/* The kernel's vm.mmap_rnd_bits, or -1 when it cannot be read. */
int toolchain_mmap_rnd_bits(void);

/* Checks of the host that only `grader doctor` shows: cgroups, user
 * namespaces, gdb, compiler and valgrind versions. */
struct toolchain_host_check {
	char name[32];
	enum toolchain_state state;
	char detail[256];
};
/* Fills out (at most max entries); returns how many. Never fails: what
 * cannot be checked is reported as a row. */
size_t toolchain_host_checks(struct toolchain_host_check *out, size_t max);

/* For tests only. The number of variant probes run by this process. */
unsigned toolchain_probe_count(void);
/* For tests only: use cc as the probes' compiler (NULL: back to GRADER_CC
 * or /usr/bin/cc) and forget the cached results. */
void toolchain_set_cc_for_tests(const char *cc);
/* For tests only: pretend the kernel has vm.mmap_rnd_bits=32 and the
 * first, un-prefixed run of every asan/tsan probe died of it, so that the
 * setarch fallback is exercised here. Forgets the cached results. */
void toolchain_simulate_aslr_for_tests(int on);

#endif
