/*
 * cmd_doctor.c - `grader doctor`: can this machine grade? Probes every
 * variant's toolchain (toolchain.h) and shows the host's cgroups, user
 * namespaces, gdb and tool versions, as a table or as JSON.
 *
 * Only the variants decide the exit status: without them grading is
 * wrong, while the host rows only weaken isolation or diagnostics.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "toolchain.h"
#include "util.h"

#define MAX_HOST_ROWS 16

static void usage(FILE *f)
{
	fputs("usage: grader doctor [--variant LIST] [--json]\n"
	      "\n"
	      "Checks that this machine can grade: compiles and runs a tiny program\n"
	      "under each variant (plain, asan, tsan, memcheck, helgrind, drd) and\n"
	      "checks that the tool reports a planted bug; shows cgroups, user\n"
	      "namespaces, gdb and the compiler and valgrind versions.\n"
	      "\n"
	      "  --variant LIST  only these variants (comma-separated; default all)\n"
	      "  --json          machine-readable output\n"
	      "  -h, --help      this help\n"
	      "\n"
	      "Exit status: 0 when every variant probed works (possibly DEGRADED),\n"
	      "1 when one does not, 2 on bad arguments or a fault of the grader.\n",
	      f);
}

static int print_json(const struct toolchain_status *st, size_t n,
		      unsigned mask, const struct toolchain_host_check *h,
		      size_t nh, int all_ok)
{
	json_t *root = json_object(), *vars = json_array(), *host = json_array();
	size_t i;
	char *s;

	if (!root || !vars || !host)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (!st[i].probed || !(mask & VARIANT_BIT(st[i].v)))
			continue;
		json_array_append_new(
			vars, json_pack("{s:s, s:s, s:b, s:s?, s:f}", "variant",
					variant_name(st[i].v), "status",
					toolchain_state_name(st[i].state), "ok",
					st[i].ok, "problem", st[i].problem,
					"seconds", st[i].seconds));
	}
	for (i = 0; i < nh; i++)
		json_array_append_new(
			host, json_pack("{s:s, s:s, s:s}", "check", h[i].name,
					"status", toolchain_state_name(h[i].state),
					"detail", h[i].detail));
	json_object_set_new(root, "ok", json_boolean(all_ok));
	json_object_set_new(root, "variants", vars);
	json_object_set_new(root, "host", host);
	s = json_dumps(root, JSON_INDENT(2));
	if (!s)
		die("out of memory");
	puts(s);
	free(s);
	json_decref(root);
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "variant", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned mask = (1u << VARIANT__COUNT) - 1;
	int json = 0, c, all_ok = 1;
	struct toolchain_status *st = NULL;
	struct toolchain_host_check host[MAX_HOST_ROWS];
	size_t n = 0, nh, i;
	struct error e;

	error_init(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hv:j", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (cli_parse_variants(optarg, &mask, &e) < 0) {
				error_print(&e, stderr);
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	/* Host rows first: they are quick, and a reader who sees a variant
	 * fail wants to know whether valgrind or the compiler is there. */
	nh = toolchain_host_checks(host, MAX_HOST_ROWS);
	if (!json) {
		printf("%-18s %-9s %s\n", "CHECK", "STATUS", "DETAIL");
		for (i = 0; i < nh; i++)
			printf("%-18s %-9s %s\n", host[i].name,
			       toolchain_state_name(host[i].state), host[i].detail);
		fflush(stdout);
	}

	/* One variant at a time, so the table grows while valgrind works. */
	for (i = 0; i < VARIANT__COUNT; i++) {
		char name[32];

		if (!(mask & VARIANT_BIT(i)))
			continue;
		if (toolchain_check(VARIANT_BIT(i), &st, &n, &e) < 0) {
			error_print(&e, stderr);
			return 2;
		}
		if (!st[i].ok)
			all_ok = 0;
		if (json)
			continue;
		snprintf(name, sizeof(name), "variant %s", variant_name(i));
		printf("%-18s %-9s %s%s(%.1f s)\n", name,
		       toolchain_state_name(st[i].state),
		       st[i].problem ? st[i].problem : "",
		       st[i].problem ? " " : "", st[i].seconds);
		fflush(stdout);
	}
	if (json)
		print_json(st, n, mask, host, nh, all_ok);
	else
		printf("\n%s\n", all_ok ? "every variant probed works"
					: "some variants do not work here: see above");
	return all_ok ? 0 : 1;
}
