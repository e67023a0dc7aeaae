#!/bin/bash
# capture.sh - rebuilds the logs of this directory: compiles the programs of
# src/ with gcc and clang for ASan+UBSan (LSan included) and TSan, and
# without instrumentation for valgrind, runs each with the options of
# grader/variant.c (a log directory, log_path / --log-file=DIR/tool.%p),
# and saves each run's logs, concatenated in name order like
# variant_collect_logs(), as OUT/<name>.log.
#
#   usage: capture.sh [OUT]      (default: a new directory under /tmp)
#
# The line numbers in check_diag.c are lines of src/*.c: keep them in step.
# Paths inside the logs are where the programs were built (the saved logs:
# /tmp/diag/src; a rerun: a fresh /tmp/diag-build-XXXXXX/src);
# gcc-lsan-leak.log was built from a relative path (src/leak.c) on purpose.
# gcc's UBSan, linked with ASan, ignores UBSAN_OPTIONS=log_path and writes
# to stderr: those logs are the program's stderr.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$(mktemp -d /tmp/diag-logs-XXXXXX)}
W=$(mktemp -d /tmp/diag-build-XXXXXX)
mkdir -p "$OUT" $W/bin $W/run && cp -r "$HERE/src" $W/src && cd $W || exit 1
S=src B=$W/bin
ASAN="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
TSAN="-O1 -g -fno-omit-frame-pointer -fsanitize=thread"
for cc in gcc clang; do
	for p in memory ubsan forks; do $cc $ASAN -o $B/$cc-asan-$p $W/$S/$p.c; done
	for p in race flag locks signal; do $cc $TSAN -o $B/$cc-tsan-$p $W/$S/$p.c -lpthread; done
done
gcc $ASAN -o $B/gcc-asan-leak $S/leak.c
clang $ASAN -o $B/clang-asan-leak $W/$S/leak.c
for p in memory leak uninit race flag locks fdleak forks signal; do
	gcc -O0 -g -o $B/vg-$p $W/$S/$p.c -lpthread
done

# run NAME VARIANT [EXTRA_ASAN_OPTIONS] -- PROGRAM ARGS...
run() {
	local name=$1 v=$2 extra=$3 d=$W/run/$1
	shift 4
	rm -rf $d && mkdir -p $d
	case $v in
	asan) env ASAN_OPTIONS=log_path=$d/asan:exitcode=66:detect_leaks=1:halt_on_error=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=0$extra \
		UBSAN_OPTIONS=log_path=$d/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=66$extra \
		LSAN_OPTIONS=exitcode=66 "$@" >/dev/null 2>$d/stderr.txt ;;
	tsan) env TSAN_OPTIONS=log_path=$d/tsan:exitcode=66:halt_on_error=0:second_deadlock_stack=1$extra \
		"$@" >/dev/null 2>$d/stderr.txt ;;
	*) local mc=""
		[ $v = memcheck ] && mc="--leak-check=full --errors-for-leak-kinds=definite,indirect --track-fds=yes"
		valgrind --tool=$v -q --error-exitcode=66 --log-file=$d/$v.%p --trace-children=yes \
			--child-silent-after-fork=no $mc "$@" >/dev/null 2>$d/stderr.txt ;;
	esac
	local files
	files=$(cd $d && ls | grep -v '^stderr.txt$' | sort)
	if [ -n "$files" ]; then (cd $d && cat $files) >"$OUT/$name.log"; else cp $d/stderr.txt "$OUT/$name.log"; fi
}

for cc in gcc clang; do
	for a in heap:heap-overflow stack:stack-overflow global:global-overflow uaf:use-after-free \
		 double:double-free badfree:bad-free wild:segv; do
		run $cc-asan-${a#*:} asan "" -- $B/$cc-asan-memory ${a%%:*}
	done
	run $cc-lsan-leak asan "" -- $B/$cc-asan-leak
	for a in overflow shift div null misaligned index bool objsize; do
		run $cc-ubsan-$a asan "" -- $B/$cc-asan-ubsan $a
	done
	run $cc-asan-forks asan "" -- $B/$cc-asan-forks
	run $cc-tsan-race tsan "" -- $B/$cc-tsan-race
	run $cc-tsan-flag tsan "" -- $B/$cc-tsan-flag
	for a in order:lock-order unlock:unlock destroy:destroy-locked leak:thread-leak; do
		run $cc-tsan-${a#*:} tsan "" -- $B/$cc-tsan-locks ${a%%:*}
	done
	run $cc-tsan-signal-unsafe tsan "" -- $B/$cc-tsan-signal
done
run clang-asan-heap-overflow-color asan ":color=always" -- $B/clang-asan-memory heap
run gcc-tsan-flag-color tsan ":color=always" -- $B/gcc-tsan-flag
run gcc-lsan-leak-full-unwind asan ":fast_unwind_on_malloc=0" -- $B/gcc-asan-leak
for a in heap:heap-overflow stack:clean uaf:use-after-free double:double-free badfree:bad-free wild:segv; do
	run memcheck-${a#*:} memcheck "" -- $B/vg-memory ${a%%:*}
done
run memcheck-leak memcheck "" -- $B/vg-leak
run memcheck-uninit memcheck "" -- $B/vg-uninit
run memcheck-fd-leak memcheck "" -- $B/vg-fdleak
run memcheck-forks memcheck "" -- $B/vg-forks
for t in helgrind drd; do
	run $t-race $t "" -- $B/vg-race
	run $t-flag $t "" -- $B/vg-flag
	run $t-unlock $t "" -- $B/vg-locks unlock
	run $t-destroy-locked $t "" -- $B/vg-locks destroy
done
run helgrind-lock-order helgrind "" -- $B/vg-locks order
echo "logs in $OUT"
