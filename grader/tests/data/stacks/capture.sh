#!/usr/bin/env bash
# Reproduces the gdb outputs of this directory, which check_stacks.c parses
# as data: the hang programs of ../../progs/ built several ways, each
# attached with the options stacks.c uses (and once with the arguments
# printed, as a plain `gdb -batch -ex bt` would). The output depends on the
# machine (addresses, pids, glibc's line numbers); the student lines
# asserted by the tests do not. Run from this directory, as root.
set -euo pipefail
progs=../../progs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

GDB_OPTS=(-nx -batch -iex 'set auto-load off' -iex 'set debuginfod enabled off'
	  -ex 'set width 0' -ex 'set pagination off'
	  -ex 'set print frame-arguments none' -ex 'set print entry-values no')

# capture NAME OUT CC-FLAGS... [-- GDB-OPTION...]
capture() {
	local name=$1 out=$2; shift 2
	local flags=() extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
	[ $# -gt 0 ] && shift && extra=("$@")
	gcc -std=gnu11 -pthread "${flags[@]}" -o "$tmp/$name" "$progs/$name.c"
	"$tmp/$name" > "$tmp/out" &
	local pid=$!
	until grep -q ready "$tmp/out"; do sleep 0.05; done
	sleep 0.3
	if [ ${#extra[@]} -gt 0 ]; then
		gdb -nx -batch "${extra[@]}" -p $pid -ex 'thread apply all bt' > "$out" 2>&1 || true
	else
		gdb "${GDB_OPTS[@]}" -p $pid -ex 'thread apply all bt 64' > "$out" 2>&1 || true
	fi
	kill -9 $pid; wait $pid 2>/dev/null || true
	# the build directory is not part of what is tested
	sed -i "s|$tmp/||g" "$out"
}

capture hang_lockorder lockorder-O0.txt -O0 -g
capture hang_lockorder lockorder-O2.txt -O2 -g
capture hang_lockorder lockorder-nodebug.txt -O2
capture hang_lockorder lockorder-args.txt -O0 -g -- -iex 'set auto-load off'
capture hang_condwait condwait-tsan.txt -O1 -g -fsanitize=thread
capture hang_condwait condwait-asan.txt -O1 -g -fsanitize=address -fno-omit-frame-pointer
capture hang_pipes2 pipes2-O2.txt -O2 -g
capture hang_spin spin-O2.txt -O2 -g
