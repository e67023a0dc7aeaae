#!/usr/bin/env bash
# `make bench`, part 1: per test, the grader's wall time against running the
# same compile and run commands bare (`grader grade --dry-run` prints them).
#
#   scripts/bench-pertest.sh [EXERCISE...]    default: every exercise with a spec
#
# For each test of each exercise, the reference solution is graded with
# `grader grade --variant plain --test T` and the dry-run script of the same
# selection is run with sh; both include the compilation, as grading does.
# Each is timed BENCH_REPEAT times (default 3) and the median is kept. The
# last row of an exercise is the whole test suite in one grading. Prints a
# Markdown table on stdout (scripts/bench.sh puts it into bench/results.md);
# it asserts nothing: the target (ratio at most 1.10) is judged there.
#
# Environment: GRADER (default grader/grader), BENCH_REPEAT, BENCH_VARIANT
# (default plain).
set -uo pipefail
cd "$(dirname "$0")/.."

grader=${GRADER:-grader/grader}
repeat=${BENCH_REPEAT:-3}
variant=${BENCH_VARIANT:-plain}
[ -x "$grader" ] || { echo "bench-pertest: $grader is not built (make)" >&2; exit 2; }

if [ $# -gt 0 ]; then
	exercises=("$@")
else
	exercises=()
	for s in exercises/*/spec.yaml; do
		[ -f "$s" ] && exercises+=("$(basename "$(dirname "$s")")")
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/grader-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# time_cmd CMD...: median wall seconds of `repeat` runs; "fail" if one fails.
time_cmd() {
	local i t0 t1 times=()
	for i in $(seq "$repeat"); do
		t0=$(now_ns)
		if ! "$@" >/dev/null 2>&1; then
			echo fail
			return
		fi
		t1=$(now_ns)
		times+=("$(( t1 - t0 ))")
	done
	printf '%s\n' "${times[@]}" | median | awk '{printf "%.3f", $1 / 1e9}'
}

# The tests of an exercise, in the spec's order (from the grader's own error).
tests_of() {
	"$grader" grade "$1" "$2" --test '#none#' -o "$tmp/none" 2>&1 |
		sed -n "s/.*(the tests are: \(.*\))$/\1/p" | tr ' ' '\n' | sed '/^$/d'
}

grade_once() { "$grader" grade "$1" "$2" --variant "$variant" ${3:+--test "$3"} -o "$tmp/report"; }

echo "### Per test: grader against the same commands bare"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr);" \
	"grader $(cat VERSION 2>/dev/null); variant $variant; median of $repeat runs; the submission is the exercise's reference solution."
echo "Bare = the \`grader grade --dry-run\` script (same cc and program command lines, same env/stdin; no limits, isolation or checks)."
echo
echo "| exercise | test | grader (s) | bare (s) | ratio |"
echo "|---|---|---:|---:|---:|"
worst=0
for ex in "${exercises[@]}"; do
	exdir=exercises/$ex
	sub=$exdir/solution
	if [ ! -f "$exdir/spec.yaml" ] || [ ! -d "$sub" ]; then
		echo "| $ex | (no spec or no solution/) | | | |"
		continue
	fi
	mapfile -t tests < <(tests_of "$exdir" "$sub")
	for t in "${tests[@]}" ""; do
		label=${t:-"(all ${#tests[@]} tests)"}
		script=$tmp/dry.sh
		if ! "$grader" grade "$exdir" "$sub" --variant "$variant" ${t:+--test "$t"} \
			-o "$tmp/dry" --dry-run >"$script" 2>"$tmp/dry.err"; then
			echo "| $ex | $label | | | dry-run failed: $(head -n 1 "$tmp/dry.err") |"
			continue
		fi
		g=$(time_cmd grade_once "$exdir" "$sub" "$t")
		b=$(time_cmd sh "$script")
		if [ "$g" = fail ] || [ "$b" = fail ]; then
			echo "| $ex | $label | $g | $b | |"
			continue
		fi
		r=$(awk -v g="$g" -v b="$b" 'BEGIN {if (b > 0) printf "%.2f", g / b; else print "-"}')
		echo "| $ex | $label | $g | $b | $r |"
		worst=$(awk -v w="$worst" -v r="$r" 'BEGIN {print (r + 0 > w + 0) ? r : w}')
	done
done
echo
echo "Largest ratio: $worst"
