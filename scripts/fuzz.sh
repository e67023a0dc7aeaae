#!/bin/bash
# fuzz.sh - runs the libFuzzer targets built by `make fuzz` for FUZZ_SECONDS
# in total (default 600, split between the targets), seeded from the repo's
# specs and captured tool logs. A crash leaves its input in
# build/fuzz/crash-*: turn it into a regression test in check_spec.c or
# check_diag.c. Exit status: 0 when no target crashed.
#   usage: scripts/fuzz.sh BUILD_DIR
set -u
B=${1:-build/fuzz}
total=${FUZZ_SECONDS:-600}
per=$(( total / 2 ))
[ "$per" -lt 1 ] && per=1

# Seeds: every spec the repo has; every captured log, prefixed with the
# byte that selects its tool (enum variant: plain 0, asan 1, tsan 2,
# memcheck 3, helgrind 4, drd 5).
mkdir -p "$B/seed-spec" "$B/seed-diag" "$B/corpus-spec" "$B/corpus-diag"
i=0
for f in exercises/*/spec.yaml $(find grader/tests/data -name '*.yaml'); do
	cp "$f" "$B/seed-spec/$i.yaml"; i=$((i + 1))
done
for f in grader/tests/data/diag/*.log; do
	name=$(basename "$f")
	case "$name" in
	*-asan-*|*-lsan-*|*-ubsan-*) b='\001' ;;
	*-tsan-*) b='\002' ;;
	memcheck-*) b='\003' ;;
	helgrind-*) b='\004' ;;
	drd-*) b='\005' ;;
	*) b='\000' ;;
	esac
	{ printf "$b"; cat "$f"; } > "$B/seed-diag/$name"
done

rc=0
for t in spec diag; do
	echo "fuzzing $t for ${per}s"
	# -max_len: specs and logs larger than 64 KiB add nothing new;
	# -timeout: generous, the machine is shared (rerun a slow unit alone:
	# ./fuzz_diag -runs=3 FILE prints its time)
	(cd "$B" && ASAN_OPTIONS=detect_leaks=1 ./fuzz_$t -max_total_time="$per" \
		-max_len=65536 -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="crash-$t-" "corpus-$t" "seed-$t" \
		> "fuzz-$t.log" 2>&1)
	r=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' \
		"$B/fuzz-$t.log" | sed "s/^/  $t: /"
	echo "  $t: corpus $(ls "$B/corpus-$t" | wc -l) inputs, exit $r"
	if [ "$r" -ne 0 ]; then
		rc=1
		tail -40 "$B/fuzz-$t.log"
	fi
done
exit $rc
