#!/usr/bin/env bash
# The whole test suite (`make check`): every suite runs even when an earlier
# one fails; the last line is the summary CI reads, "N passed, N failed",
# and the exit status is non-zero on any failure.
#
# Suites:
#   unit       the Check unit tests of the grader (grader/tests/check_*.c)
#   unit-asan  the same, with the grader built under AddressSanitizer+UBSan
#   validate   `grader validate` of every exercise with a spec: the reference
#              gets full marks and each fixture gets its declared verdicts
#   scripts    every scripts/tests/*.sh (tests beyond Check: the Gradescope
#              autograder, the Slurm cluster, ...); each ends with its own
#              "N passed, N failed" line, which is added to the total
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
# each suite's line ends with its wall time, so that CI's log shows where
# the minutes go ("[73 s]")
t0=$SECONDS
took() { echo "[$((SECONDS - t0)) s]"; t0=$SECONDS; }
log_dir=build/check-logs
mkdir -p "$log_dir"

# Counts from Check's "NN%: Checks: N, Failures: F, Errors: E" line.
count_check() {
	local name=$1 log=$2 status=$3 line n f e
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: $name: no test summary (exit $status); see $log"
		failed=$((failed + 1))
		return
	fi
	n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	passed=$((passed + n - f - e))
	failed=$((failed + f + e))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ]; then
		failed=$((failed + 1))
	fi
	echo "check: $name: $line $(took)"
	[ "$f" -eq 0 ] && [ "$e" -eq 0 ] || grep -E ':[EF]:' "$log" | head -n 30
}

run_unit() {
	local name=$1; shift
	local log=$log_dir/$name.log status
	t0=$SECONDS
	make --no-print-directory "$@" unit >"$log" 2>&1
	status=$?
	count_check "$name" "$log" "$status"
}

echo "== unit tests"
run_unit unit
echo "== unit tests under AddressSanitizer + UBSan"
run_unit unit-asan SANITIZE=address

echo "== grader validate (reference + fixtures of every exercise)"
for spec in exercises/*/spec.yaml; do
	[ -f "$spec" ] || continue
	ex=$(dirname "$spec")
	name=$(basename "$ex")
	# scripts/tests/adversarial.sh validates it, and asserts much more
	[ "$name" = adversarial ] && continue
	log=$log_dir/validate-$name.log
	t0=$SECONDS
	grader/grader validate "$ex" >"$log" 2>&1
	status=$?
	ok=$(grep -cE '^[^ ]+ +OK ' "$log")
	bad=$(grep -cE '^[^ ]+ +DIFF ' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
		failed=$((failed + 1))
	fi
	echo "check: validate $name: $ok ok, $bad different (exit $status) $(took)"
	[ "$status" -eq 0 ] || sed 's/^/    /' "$log" | head -n 60
done

echo "== script tests (scripts/tests/*.sh)"
for t in scripts/tests/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	log=$log_dir/script-$name.log
	t0=$SECONDS
	bash "$t" >"$log" 2>&1
	status=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: script $name: no summary line (exit $status); see $log"
		tail -n 20 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
	fi
	echo "check: script $name: $line (exit $status) $(took)"
	[ "$f" -eq 0 ] && [ "$status" -eq 0 ] || grep -E '^FAIL|^     ' "$log" | head -n 30 | sed 's/^/    /'
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
