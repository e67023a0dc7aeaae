#!/usr/bin/env bash
# scripts/slurm-cluster.sh on this machine: start a private single-node
# cluster, run a 4-task job array that writes files, poll squeue until it is
# done, check the files, then stop with a job still running and check that
# no process of the cluster (daemons, slurmstepd, job processes) is left.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/tests/lib/assert.bash

cluster=scripts/slurm-cluster.sh
dir=$(mktemp -d /tmp/grader-slurm-test.XXXXXX)
cleanup() {
	bash "$cluster" stop "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

# Live (non-zombie) pids whose command line or environment names $dir: every
# process this cluster started, and none of another test's cluster.
cluster_pids() {
	local p pid state
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] || continue
		state=$(awk '{print $3}' "$p/stat" 2>/dev/null) || continue
		[ "$state" != Z ] || continue
		if grep -qaF "$dir" "$p/cmdline" 2>/dev/null ||
			grep -qzF "SLURM_CONF=$dir/" "$p/environ" 2>/dev/null; then
			# Our own shell pipeline may have SLURM_CONF: keep only daemons and jobs.
			case $(cat "$p/comm" 2>/dev/null) in
			munged | slurmctld | slurmd | slurmstepd | slurm_script | sleep) echo "$pid" ;;
			esac
		fi
	done
}

if ! out=$(bash "$cluster" start "$dir" 2>&1); then
	fail "cluster starts" "$out"
	t_summary
	exit
fi
ok "cluster starts"

env_line=$(bash "$cluster" env "$dir")
check_eq "env prints SLURM_CONF" "export SLURM_CONF=$dir/etc/slurm.conf" "$env_line"
eval "$env_line"

for d in munged slurmctld slurmd; do
	check "$d has a live pid file" test -n "$(cat "$dir/run/$d.pid" 2>/dev/null)"
done
check "sinfo shows the node idle" bash -c 'sinfo -h -N -o %T | grep -qx idle'

mkdir -p "$dir/out"
job=$(sbatch --parsable --array=0-3 -o "$dir/out/slurm-%A_%a.log" \
	--wrap "echo task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_JOB_ID > $dir/out/task-\$SLURM_ARRAY_TASK_ID" 2>&1)
if [[ $job =~ ^[0-9]+$ ]]; then ok "sbatch --array=0-3 accepted (job $job)"; else fail "sbatch --array=0-3 accepted" "$job"; fi

# Hang guard only: the array takes a few seconds here.
done_=0
for _ in $(seq 600); do
	if [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; then
		done_=1
		break
	fi
	sleep 0.2
done
check_eq "the array leaves squeue" 1 "$done_"

for i in 0 1 2 3; do
	check_eq "task $i wrote its file" "task $i of $job" "$(cat "$dir/out/task-$i" 2>/dev/null)"
done

# A job still running at stop (one that also escapes into its own session):
# stop must take it down with the daemons.
long=$(sbatch --parsable -o /dev/null --wrap 'setsid sleep 600 & sleep 600' 2>&1)
running=0
for _ in $(seq 300); do
	if [ "$(squeue -h -j "$long" -o %T 2>/dev/null)" = RUNNING ] &&
		[ "$(cluster_pids | xargs -r ps -o comm= -p | grep -cx sleep)" -ge 2 ]; then
		running=1
		break
	fi
	sleep 0.2
done
check_eq "a long job is running, both its sleeps started" 1 "$running"
before=$(cluster_pids | wc -l)
# munged, slurmctld, slurmscriptd, slurmd, slurmstepd, script, 2 sleeps.
check "the cluster's processes are seen before stop ($before)" test "$before" -ge 6

out=$(bash "$cluster" stop "$dir" 2>&1)
check_eq "stop succeeds quietly" "" "$out"
left=$(cluster_pids)
if [ -z "$left" ]; then
	ok "no process of the cluster is left"
else
	fail "no process of the cluster is left" "$(ps -o pid,stat,cmd -p "$(echo $left | tr ' ' ,)")"
fi
for d in munged slurmctld slurmd; do
	check "$d's pid file is gone" test ! -e "$dir/run/$d.pid"
done

out=$(bash "$cluster" stop "$dir" 2>&1)
check_eq "a second stop is a no-op" "0:" "$?:$out"

t_summary
