#!/bin/sh
set -e
S=/tmp/diag/src; B=/tmp/diag/bin
for cc in gcc clang; do
  for p in memory leak ubsan forks; do
    $cc -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -o $B/$cc-asan-$p $S/$p.c
  done
  for p in race locks signal; do
    $cc -O1 -g -fno-omit-frame-pointer -fsanitize=thread -o $B/$cc-tsan-$p $S/$p.c -lpthread
  done
done
for p in memory leak uninit race locks fdleak forks signal; do
  gcc -O0 -g -o $B/vg-$p $S/$p.c -lpthread
done
for cc in gcc clang; do
  $cc -O1 -g -fno-omit-frame-pointer -fsanitize=thread -o $B/$cc-tsan-flag $S/flag.c -lpthread
done
gcc -O0 -g -o $B/vg-flag $S/flag.c -lpthread
# a relative path in the debug info, as when students build in their directory
cd /tmp/diag && gcc -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -o $B/gcc-asan-leak src/leak.c
