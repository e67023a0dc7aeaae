#!/bin/bash
# run.sh NAME variant binary args... : runs like variant.c, leaves the log(s) in logs/NAME.log
name=$1; v=$2; shift 2
d=/tmp/diag/run/$name; rm -rf $d; mkdir -p $d
case $v in
asan) env ASAN_OPTIONS=log_path=$d/asan:exitcode=66:detect_leaks=1:halt_on_error=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=0 \
	UBSAN_OPTIONS=log_path=$d/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=66 LSAN_OPTIONS=exitcode=66 "$@" >/dev/null 2>$d/stderr.txt;;
tsan) env TSAN_OPTIONS=log_path=$d/tsan:exitcode=66:halt_on_error=0:second_deadlock_stack=1 "$@" >/dev/null 2>$d/stderr.txt;;
*) valgrind --tool=$v -q --error-exitcode=66 --log-file=$d/$v.%p --trace-children=yes --child-silent-after-fork=no \
	$( [ $v = memcheck ] && echo --leak-check=full --errors-for-leak-kinds=definite,indirect --track-fds=yes ) "$@" >/dev/null 2>$d/stderr.txt;;
esac
echo "$name: exit $?  files: $(cd $d; ls | tr '\n' ' ')"
