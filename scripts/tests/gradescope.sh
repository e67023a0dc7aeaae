#!/usr/bin/env bash
# The Gradescope autograder, end to end, against a temporary root laid out
# like /autograder: `make gradescope` builds the zip; it is unpacked into
# ROOT/source; setup.sh installs and builds there; run_autograder grades
# ROOT/submission into ROOT/results/results.json, which must be valid JSON
# in Gradescope's schema -- for a correct submission (full marks, nested in
# a folder as a zip upload leaves it), a compile error (zero, the
# compiler's message in the output), and a submission with no source at
# all (a zero that says why, still valid JSON).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/tests/lib/assert.bash

exercise=pipes
tmp=$(mktemp -d /tmp/grader-gradescope-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/autograder
zip=$tmp/autograder.zip

if out=$(bash scripts/gradescope/build.sh "$exercise" "$zip" 2>&1); then
	ok "build.sh makes the zip"
else
	fail "build.sh makes the zip" "$out"
	t_summary
	exit
fi
listing=$(unzip -Z1 "$zip")
for f in setup.sh run_autograder EXERCISE Makefile VERSION scripts/install-deps.sh \
	grader/main.c grader/report_json.c "exercises/$exercise/spec.yaml"; do
	check "the zip has $f at its root" grep -qx "$f" <<<"$listing"
done
check "the zip has no test suite or fixtures" bash -c '! grep -qE "^(fixtures|grader/tests)/" <<<"$1"' _ "$listing"
out=$(bash scripts/gradescope/build.sh no-such-exercise "$tmp/x.zip" 2>&1)
check_eq "an unknown exercise is refused" "2" "$?"
check "... with a message naming it" grep -q "no exercise 'no-such-exercise'" <<<"$out"

mkdir -p "$root/source"
unzip -q "$zip" -d "$root/source"
check "run_autograder is executable" test -x "$root/source/run_autograder"
if out=$(AUTOGRADER_ROOT=$root bash "$root/source/setup.sh" 2>&1); then
	ok "setup.sh installs and builds"
else
	fail "setup.sh installs and builds" "$(tail -n 20 <<<"$out")"
	t_summary
	exit
fi
check "setup.sh built the grader" test -x "$root/source/grader/grader"

# run_autograder against ROOT with SUBMISSION_DIR's files (under SUBPATH)
# and the metadata given; leaves ROOT/results/results.json.
grade() {
	local from=$1 subpath=$2 meta=$3
	rm -rf "$root/submission" "$root/results" "$root/submission_metadata.json"
	mkdir -p "$root/submission/$subpath"
	[ -z "$from" ] || cp -R "$from"/. "$root/submission/$subpath/"
	[ -z "$meta" ] || printf '%s\n' "$meta" >"$root/submission_metadata.json"
	AUTOGRADER_ROOT=$root "$root/source/run_autograder" >"$tmp/run.log" 2>&1
}

results=$root/results/results.json
meta='{"id": 123, "created_at": "2024-05-01T10:00:00Z", "assignment": {"title": "Pipes"},
       "users": [{"email": "ada@example.org", "id": 1, "name": "Ada Lovelace"},
                 {"email": "cb@example.org", "id": 2, "name": "Charles Babbage"}]}'

grade "fixtures/$exercise/correct" "my-folder" "$meta"
check_eq "correct: run_autograder exits 0" 0 "$?"
if jq -e . "$results" >/dev/null 2>&1; then ok "correct: results.json is valid JSON"; else
	fail "correct: results.json is valid JSON" "$(head -c 600 "$results" 2>&1)" "$(tail -n 5 "$tmp/run.log")"; fi
check "correct: full marks (score = max_score = sum of the tests' > 0)" \
	jq -e '.max_score > 0 and .score == .max_score and .score == ([.tests[].max_score] | add)' "$results"
check "correct: max is the exercise's 20 points" test "$(jq -r '.max_score' "$results" 2>/dev/null)" = 20
check "correct: every test passed" jq -e '(.tests | length) > 0 and all(.tests[]; .status == "passed")' "$results"
check "correct: every test has Gradescope's keys" jq -e 'all(.tests[]; has("name") and has("score") and has("max_score") and has("status") and has("output") and has("visibility"))' "$results"
check "correct: visibility values are Gradescope's" jq -e 'all(.tests[]; .visibility | IN("hidden", "after_due_date", "after_published", "visible"))' "$results"
check_eq "correct: the submitters' names from the metadata" "Ada Lovelace, Charles Babbage" \
	"$(jq -r '.submission' "$results" 2>/dev/null)"
check "correct: report.md is kept beside results.json" test -s "$root/results/report/report.md"

grade "fixtures/$exercise/compile-error" "" ""
check_eq "compile error: run_autograder exits 0" 0 "$?"
check "compile error: results.json is valid JSON" jq -e . "$results"
check_eq "compile error: score 0" 0 "$(jq -r '.score' "$results" 2>/dev/null)"
check "compile error: the compiler's message is in the output" jq -e '.output | contains("error:")' "$results"
check_eq "compile error: no metadata, the default name" submission "$(jq -r '.submission' "$results" 2>/dev/null)"

grade "" "" "$meta"
check_eq "empty submission: run_autograder exits 0" 0 "$?"
check "empty submission: results.json is valid JSON" jq -e . "$results"
check_eq "empty submission: score 0" 0 "$(jq -r '.score' "$results" 2>/dev/null)"
check "empty submission: the output says why" jq -e '.output | contains("no .c file")' "$results"

# A grader that cannot run (broken autograder) still leaves valid JSON.
mv "$root/source/grader/grader" "$root/source/grader/grader.off"
grade "fixtures/$exercise/correct" "" ""
mv "$root/source/grader/grader.off" "$root/source/grader/grader"
check "no grader: results.json is still valid JSON" jq -e '.score == 0 and (.output | contains("tell your instructor"))' "$results"

t_summary
