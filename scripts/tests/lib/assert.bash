# Sourced by the script tests in scripts/tests/*.sh: counting assertions and
# the final "N passed, N failed" line that scripts/check-all.sh adds up.
# (This file is not a test: check-all runs scripts/tests/*.sh only.)

T_PASSED=0
T_FAILED=0

# ok NAME: one passed check.
ok() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok   $1"
}

# fail NAME [DETAIL...]: one failed check, with what was seen.
fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $1"
	shift
	local line
	for line in "$@"; do
		printf '     %s\n' "$line"
	done
}

# check NAME CMD...: passes when CMD succeeds (its output is not shown).
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}

# t_summary: the last line of every script test, and its exit status.
t_summary() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
}
