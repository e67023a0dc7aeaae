#!/usr/bin/env bash
# Builds a Gradescope autograder zip for one exercise (`make gradescope
# EXERCISE=x`):
#
#   scripts/gradescope/build.sh EXERCISE [OUT.zip]
#
# The zip holds, at its root, what Gradescope wants (setup.sh,
# run_autograder) and the grader's sources, the exercise directory and a
# file EXERCISE naming it. Gradescope unpacks it into /autograder/source,
# runs setup.sh once when it builds the image (Debian packages + `make`),
# then run_autograder for every submission. Default OUT:
# build/gradescope/<exercise>-autograder.zip. See docs/gradescope.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
	echo "usage: $0 EXERCISE [OUT.zip]   (or: make gradescope EXERCISE=name)" >&2
	exit 2
fi
exercise=${1%/}
exercise=${exercise##*/}
if [ ! -f "exercises/$exercise/spec.yaml" ]; then
	echo "gradescope: no exercise '$exercise' (exercises/$exercise/spec.yaml is missing); these have a spec:" >&2
	ls exercises/*/spec.yaml 2>/dev/null | sed 's|exercises/\(.*\)/spec.yaml|  \1|' >&2
	exit 2
fi
# A spec that does not load would fail every student's run: refuse it now.
if [ -x grader/grader ] && ! grader/grader list >/dev/null 2>&1; then
	echo "gradescope: \`grader list\` fails: fix the specs first" >&2
	exit 2
fi
command -v zip >/dev/null || { echo "gradescope: zip is missing (make deps)" >&2; exit 2; }

out=${2:-build/gradescope/$exercise-autograder.zip}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
stage=$(mktemp -d "${TMPDIR:-/tmp}/grader-gradescope-XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/grader" "$stage/scripts" "$stage/exercises"
cp grader/*.c grader/*.h "$stage/grader/"
# what is built beside the grader or compiled into students' tests:
# the perturbation library and the unit-test runner
cp -R grader/runtime "$stage/grader/"
cp Makefile VERSION "$stage/"
cp scripts/install-deps.sh "$stage/scripts/"
cp -R "exercises/$exercise" "$stage/exercises/"
cp scripts/gradescope/setup.sh scripts/gradescope/run_autograder "$stage/"
chmod 755 "$stage/setup.sh" "$stage/run_autograder"
echo "$exercise" >"$stage/EXERCISE"
rm -f "$out"
(cd "$stage" && zip -q -r -X "$out" .)
echo "gradescope: $out ($(du -h "$out" | cut -f1)); upload it as the autograder of the '$exercise' assignment"
