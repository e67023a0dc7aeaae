#!/usr/bin/env bash
# adversarial.sh - the grader against hostile submissions (issue 8;
# docs/security.md). Grades every fixture of fixtures/adversarial/ with
# `grader validate exercises/adversarial` and asserts, besides each
# fixture's declared verdict:
#   - the grader survived (validate exits 0 or 1, never killed);
#   - the reports of a graded attack are intact (results.json parses, with
#     the score the attack deserves, no symlink in the report directory);
#   - no process of any run is left (no process of the sandbox's uids;
#     no process running a fixture's binary);
#   - nothing is left on disk or in IPC: /dev/shm, System V IPC (ipcs) and
#     the temporary directory are as before;
#   - a bounded time.
# Last line: "N passed, N failed"; exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

GRADER=${GRADER_BIN:-grader/grader}
TMP=${TMPDIR:-/tmp}
LIMIT_S=${ADVERSARIAL_LIMIT_S:-600}
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }

[ -x "$GRADER" ] || { echo "adversarial: $GRADER is not built"; echo "0 passed, 1 failed"; exit 1; }

# The machine is shared: only what the fixtures create is looked for --
# their /dev/shm names ("adv-left...") and System V keys (0x4164764c-e) --
# and the grader gets a temporary directory of its own, which must end empty.
snapshot() {
	ls -A /dev/shm 2>/dev/null | grep -E '^(sem\.)?adv-left' | sort
	ipcs -m -q -s 2>/dev/null | awk '$1 ~ /^0x4164764[cde]$/ {print $1}' | sort
	ls -A "$gtmp" 2>/dev/null | sort
}
sandbox_procs() {
	# processes of the sandbox's uids (60000..60999), running an
	# adversarial binary ("adv"), or naming this script's directory:
	# "PID UID COMM"
	ps -eo pid=,uid=,comm=,args= | awk -v dir="$out" \
		'$3 != "awk" && (($2 >= 60000 && $2 < 61000) || $3 == "adv" || index($0, dir) > 0) {print $1, $2, $3}' |
		sort
}
# What is left of the runs: processes that were not there before and stay.
# Another grader on the machine also uses the sandbox's uids, but its
# processes come and go: only those still there after 5 s count.
leftover_procs() {
	local left i
	left=$(comm -13 <(echo "$procs_before") <(sandbox_procs))
	for i in 1 2 3 4 5; do
		[ -z "$left" ] && break
		sleep 1
		left=$(comm -12 <(echo "$left") <(sandbox_procs))
	done
	echo "$left"
}

out=$(mktemp -d "$TMP/adversarial-XXXXXX")
gtmp=$out/tmp
mkdir -p "$gtmp"
export TMPDIR=$gtmp
before=$(snapshot)
procs_before=$(sandbox_procs)
t0=$(date +%s)

"$GRADER" validate exercises/adversarial -o "$out/reports" >"$out/validate.log" 2>&1
status=$?
cat "$out/validate.log"
case $status in
0) ok "every fixture got its declared verdict" ;;
1) ko "some fixture did not get its declared verdict (see above)" ;;
*) ko "grader validate failed (exit $status): the grader did not survive" ;;
esac

# One attack graded on its own: the grader must exit normally and write
# reports that parse, with the score a correct program earns.
for f in results-symlink kill-all fake-pass; do
	rep=$out/grade-$f
	"$GRADER" grade exercises/adversarial "fixtures/adversarial/$f" -o "$rep" >"$rep.log" 2>&1
	st=$?
	if [ $st -ne 0 ]; then
		ko "$f: grader grade exited $st"
		continue
	fi
	if ! python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if "score" in r and r["tests"] else 1)' "$rep/results.json" 2>/dev/null; then
		ko "$f: results.json is missing or broken"
	elif find "$rep" -type l | grep -q .; then
		ko "$f: a symbolic link in the report directory"
	else
		score=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$rep/results.json")
		ok "$f: reports intact (score $score)"
	fi
done
# every point but the attack test's one
case $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["max_score"] - r["score"])' "$out/grade-fake-pass/results.json" 2>/dev/null) in
1|1.0) ok "fake-pass: its printed PASS lines earned nothing" ;;
*) ko "fake-pass: unexpected score" ;;
esac

# Nothing of the runs is left.
sleep 1
left=$(leftover_procs)
if [ -z "$left" ]; then
	ok "no process of any run left"
else
	ko "processes left: $(echo "$left" | head -5 | tr '\n' ' ')"
fi
after=$(snapshot)
if [ "$before" = "$after" ]; then
	ok "nothing left in /dev/shm, System V IPC or the grader's temporary directory"
else
	ko "left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -5 | tr '\n' ' ')"
fi
rm -rf "$out"
elapsed=$(( $(date +%s) - t0 ))
if [ "$elapsed" -le "$LIMIT_S" ]; then
	ok "bounded time: ${elapsed}s (limit ${LIMIT_S}s)"
else
	ko "took ${elapsed}s (limit ${LIMIT_S}s)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
