#!/usr/bin/env bash
# `make demo`: grades the sample submissions of fixtures/ into reports/ and
# prints a readable summary. The fixtures are submissions with known bugs,
# so most of them fail on purpose: the point is to see what a student sees.
set -uo pipefail
cd "$(dirname "$0")/.."

echo "Exercises:"
grader/grader list
for spec in exercises/*/spec.yaml; do
	ex=$(dirname "$spec")
	name=$(basename "$ex")
	[ -d "fixtures/$name" ] || continue
	for sub in fixtures/"$name"/*/; do
		sub=${sub%/}
		echo
		echo "=== grader grade $ex $sub"
		grader/grader grade "$ex" "$sub" -o "reports/$name/$(basename "$sub")"
		status=$?
		[ "$status" -le 1 ] || echo "(grader exited with $status)"
	done
done
echo
echo "Reports written under reports/: open reports/<exercise>/<submission>/report.md"
