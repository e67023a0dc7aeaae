#!/usr/bin/env bash
# `make bench`: how fast and how small `grader batch` is, written to
# bench/results.md with the machine it ran on. Figures are printed, never
# asserted (the machine is shared; see the targets in the file).
#
#   2. 100 generated submissions of one exercise (plain variant):
#      `grader batch -j2` against the same compile and run commands, bare,
#      under `xargs -P2`; submissions per minute.
#   3. peak memory (RSS) of the batch process at 100 and 400 submissions.
#   4. the cached second run of the 100 against the first.
#   1. per test, against the commands `grader grade --dry-run` prints,
#      run bare: scripts/bench-pertest.sh (its section is inserted here).
#
# The exercise is grader/tests/data/cli/upper (4 tests, one against the
# reference solution): small and fixed, so the figures measure the grader,
# not an exercise. Each submission is the correct solution plus a comment
# naming the student, so no two are byte-identical.
#
# BENCH_N (default 100) and BENCH_LARGE (default 400) change the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_N:-100}
LARGE=${BENCH_LARGE:-400}
G=$PWD/grader/grader
EX=$PWD/grader/tests/data/cli/upper
SOLUTION=$PWD/grader/tests/data/cli/upper-fixtures/good/upper.c
REF=$EX/solution/upper.c
W=$(mktemp -d /tmp/grader-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p bench

[ -x "$G" ] || { echo "bench: build the grader first (make)" >&2; exit 2; }

echo "bench: part 1, per test (scripts/bench-pertest.sh)" >&2
part1=$(bash scripts/bench-pertest.sh 2>&1) || part1="(part 1 failed:
$part1)"

gen() { # gen DIR COUNT
	local i
	mkdir -p "$1"
	for i in $(seq -w 1 "$2"); do
		mkdir -p "$1/student$i"
		{ cat "$SOLUTION"; echo "/* student $i */"; } >"$1/student$i/upper.c"
	done
}

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
fmt() { printf '%.2f' "$1"; }

# The commands `grader grade` runs for one submission of upper, bare: copy,
# compile the submission and the reference (grade builds the reference for
# the reference-checked test), run the four tests, compare outputs.
cat >"$W/bare.sh" <<'EOF'
#!/bin/sh
set -e
d=$(mktemp -d /tmp/grader-bare.XXXXXX)
mkdir "$d/ref"
cp "$1"/*.c "$d/"
cp "$REF" "$d/ref/"
cflags="-std=gnu11 -Wall -Wextra -pthread -O2 -g"
(cd "$d" && cc $cflags -o upper upper.c -lrt)
(cd "$d/ref" && cc $cflags -o upper upper.c -lrt)
printf 'hello\nworld\n' | "$d/upper" >"$d/o1"
printf 'HELLO\nWORLD\n' | cmp -s "$d/o1" - || true
"$d/upper" </dev/null >"$d/o2"
"$d/upper" <"$BIG" >"$d/o3"
"$d/ref/upper" <"$BIG" >"$d/r3"
cmp -s "$d/o3" "$d/r3" || true
printf 'SECRET-MARKER-4711 input\n' | "$d/upper" >"$d/o4"
rm -rf "$d"
EOF
chmod +x "$W/bare.sh"
# the reference-checked test's 200 KiB of generated lines
head -c 150000 /dev/urandom | base64 -w 76 >"$W/big.txt"

echo "bench: generating $N and $LARGE submissions in $W"
gen "$W/subs$N" "$N"
gen "$W/subs$LARGE" "$LARGE"

echo "bench: grader batch -j2 on $N submissions"
t0=$(now)
"$G" batch "$EX" "$W/subs$N" -o "$W/out$N" -j2 -q >/dev/null
t1=$(now)
t_batch=$(secs "$t0" "$t1")

echo "bench: the same commands, bare, under xargs -P2"
t0=$(now)
ls "$W/subs$N" | REF=$REF BIG=$W/big.txt xargs -P2 -I{} "$W/bare.sh" "$W/subs$N/{}"
t1=$(now)
t_bare=$(secs "$t0" "$t1")

echo "bench: cached second run"
t0=$(now)
"$G" batch "$EX" "$W/subs$N" -o "$W/out$N" -j2 -q >/dev/null
t1=$(now)
t_cached=$(secs "$t0" "$t1")

echo "bench: grader batch -j2 on $LARGE submissions (memory)"
t0=$(now)
"$G" batch "$EX" "$W/subs$LARGE" -o "$W/out$LARGE" -j2 -q >/dev/null
t1=$(now)
t_large=$(secs "$t0" "$t1")

rss() { sed -n 's/.*"peak_rss_kib": \([0-9]*\).*/\1/p' "$1/batch.json"; }
rss_n=$(rss "$W/out$N")
rss_l=$(rss "$W/out$LARGE")
ratio=$(echo "$t_batch / $t_bare" | bc -l)
per_min=$(echo "$N / $t_batch * 60" | bc -l)
per_min_l=$(echo "$LARGE / $t_large * 60" | bc -l)
speedup=$(echo "$t_batch / $t_cached" | bc -l)
graded=$(grep -c ',5,5,' "$W/out$N/gradebook.csv" || true)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
load=$(cut -d' ' -f1-3 /proc/loadavg)
verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo "met"; else echo "NOT met"; fi; }

cat >bench/results.md <<EOF
# Benchmark of \`grader batch\`

Written by \`make bench\` (scripts/bench.sh) on $(date -u +%Y-%m-%dT%H:%M:%SZ).

Machine: $cpu, $(nproc) CPUs, $mem, $os, kernel $(uname -r);
load average at the end $load (the machine is shared: figures vary
from run to run). Grader $("$G" --version | cut -d' ' -f2).

Exercise: grader/tests/data/cli/upper (4 tests, plain variant; one test is
checked against the reference solution, which grade builds per submission).
Submissions: the correct solution, each with a different comment.

## 1. Per test: the grader against the bare commands

<!-- BENCH PART 1: per-test ratio against the commands of \`grader grade
     --dry-run\`, written by another script; keep this marker. -->
$part1

## 2. Batch: $N submissions, -j2

| | seconds |
|---|---:|
| \`grader batch -j2\` | $(fmt "$t_batch") |
| the same commands under \`xargs -P2\` | $(fmt "$t_bare") |
| **ratio** (target <= 1.10: $(verdict "$ratio <= 1.10")) | **$(fmt "$ratio")** |

Throughput: $(fmt "$per_min") submissions per minute at $N,
$(fmt "$per_min_l") at $LARGE. ($graded of $N got full marks.)

## 3. Peak memory of the batch process

| submissions | peak RSS of \`grader batch\` |
|---:|---:|
| $N | $((rss_n / 1024)) MiB ($rss_n KiB) |
| $LARGE | $((rss_l / 1024)) MiB ($rss_l KiB) |

Target: under 50 MiB whatever the batch size: $(verdict "$rss_l < 51200 && $rss_n < 51200").
(getrusage(RUSAGE_SELF) of the batch process, recorded in OUTDIR/batch.json:
the gradings are child processes and are not counted.)

## 4. Cached second run

| | seconds |
|---|---:|
| first run | $(fmt "$t_batch") |
| second run, nothing changed | $(fmt "$t_cached") |
| **speed-up** (target >= 20: $(verdict "$speedup >= 20")) | **$(fmt "$speedup")x** |
EOF

cat bench/results.md
