#!/usr/bin/env bash
# A real single-node Slurm cluster on loopback, private to one directory, for
# tests and for trying `grader batch --slurm` without a university cluster.
#
#   scripts/slurm-cluster.sh start DIR   start munged, slurmctld, slurmd; wait until the node is idle
#   scripts/slurm-cluster.sh env DIR     print the exports clients need: eval "$(... env DIR)"
#   scripts/slurm-cluster.sh stop DIR    cancel the jobs, stop the daemons by their pid files,
#                                        wait until no process of this cluster is left
#   scripts/slurm-cluster.sh status DIR  exit 0 when the controller answers
#
# Everything lives under DIR: the config (etc/slurm.conf), the munge key and
# socket (munge/), the controller's state and the node's spool (state/, spool/),
# pid files (run/) and logs (log/). Nothing in /etc, /run or /var is touched,
# and the ports are picked free at start, so several clusters (one per test)
# can run side by side. It follows the recipe checked on this machine in
# /work/shared/FACTS.md "Slurm on one machine". Needs root (the daemons run as
# root and munged as user munge) and Debian's slurm-wlm and munge.
set -euo pipefail

usage() {
	echo "usage: $0 start|stop|env|status DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

die() {
	echo "slurm-cluster: $*" >&2
	exit 1
}

# Absolute: the daemons and the clients' SLURM_CONF need it whatever their cwd.
abs_dir() {
	mkdir -p "$1"
	(cd "$1" && pwd -P)
}

# The pid in a pid file, if that process is alive.
live_pid() {
	local f=$1 pid
	[ -s "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	[ -n "$pid" ] && alive "$pid" || return 1
	echo "$pid"
}

# A TCP port nobody listens on. Two clusters starting in the same instant
# could pick the same one; slurmctld then fails to bind and start says so.
free_port() {
	local p tries=0
	while [ $tries -lt 200 ]; do
		p=$((20000 + RANDOM % 20000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
		tries=$((tries + 1))
	done
	die "no free TCP port found"
}

# Polls CMD (a shell function or command) every 0.1 s for up to $1 seconds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le $((limit * 10)) ] || return 1
		sleep 0.1
	done
}

show_logs() {
	local f
	for f in "$dir"/log/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f (last lines)" >&2
		tail -n 15 "$f" >&2
	done
}

node_idle() {
	SLURM_CONF=$conf sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle
}

ctld_up() {
	SLURM_CONF=$conf scontrol ping 2>/dev/null | grep -q 'is UP'
}

start() {
	local d ctld_port slurmd_port cpus mem pid
	for d in slurmctld slurmd munged; do
		if pid=$(live_pid "$dir/run/$d.pid"); then
			die "$d of $dir already runs (pid $pid); stop it first"
		fi
	done
	for d in sbatch slurmctld slurmd munged mungekey ss; do
		command -v "$d" >/dev/null 2>&1 || [ -x "/usr/sbin/$d" ] ||
			die "$d not found: install slurm-wlm and munge (make deps)"
	done
	[ "$(id -u)" -eq 0 ] || die "needs root (the daemons run as root and munge)"
	id munge >/dev/null 2>&1 || die "no user munge: install the munge package"

	# munged refuses group/world-writable directories on the way to its key
	# and socket, and wants the socket's directory searchable by everyone
	# (clients of any uid connect to it); the key itself is mode 400.
	chmod 755 "$dir"
	rm -rf "$dir/munge" "$dir/state" "$dir/spool" "$dir/run" "$dir/log" "$dir/etc"
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/run" "$dir/log" "$dir/etc"
	chown munge:munge "$dir/munge"
	chmod 755 "$dir/munge"

	/usr/sbin/mungekey -c -k "$dir/munge/munge.key" >/dev/null 2>&1 ||
		die "mungekey could not create $dir/munge/munge.key"
	chown munge:munge "$dir/munge/munge.key"
	chmod 400 "$dir/munge/munge.key"
	runuser -u munge -- /usr/sbin/munged \
		--socket="$dir/munge/munge.socket" \
		--key-file="$dir/munge/munge.key" \
		--pid-file="$dir/munge/munged.pid" \
		--log-file="$dir/munge/munged.log" \
		--seed-file="$dir/munge/munged.seed" ||
		{ cat "$dir/munge/munged.log" >&2 2>/dev/null; die "munged did not start"; }
	# munged writes its pid file into its own (munge-owned) directory; run/
	# gets a copy so that stop finds every daemon in one place.
	wait_for 10 test -s "$dir/munge/munged.pid" || die "munged wrote no pid file"
	cp "$dir/munge/munged.pid" "$dir/run/munged.pid"

	cpus=$(nproc)
	mem=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
	[ -n "$mem" ] || mem=1024
	ctld_port=$(free_port)
	slurmd_port=$(free_port)
	while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done

	cat >"$conf" <<EOF
# Written by scripts/slurm-cluster.sh: a single-node cluster on loopback.
ClusterName=grader
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

	/usr/sbin/slurmctld -f "$conf" || { show_logs; stop_daemons; die "slurmctld did not start"; }
	if ! wait_for 30 ctld_up; then
		show_logs
		stop_daemons
		die "slurmctld does not answer after 30 s"
	fi
	/usr/sbin/slurmd -f "$conf" -N localhost || { show_logs; stop_daemons; die "slurmd did not start"; }
	if ! wait_for 30 node_idle; then
		show_logs
		stop_daemons
		die "node localhost not idle after 30 s"
	fi
	echo "slurm-cluster: up in $dir (slurmctld port $ctld_port, slurmd port $slurmd_port)"
}

# Whether a process is alive. A zombie is not: the daemons are reparented to
# pid 1, which here reaps them only now and then, and kill -0 succeeds on a
# zombie.
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# kill_and_wait GRACE PID...: TERM, then KILL after GRACE seconds; returns
# when they are gone.
kill_and_wait() {
	local pid i grace=$1
	shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null || true
	for i in $(seq $((grace * 10))); do
		local any=0
		for pid in "$@"; do
			if alive "$pid"; then any=1; fi
		done
		[ $any -eq 1 ] || return 0
		sleep 0.1
	done
	kill -KILL "$@" 2>/dev/null || true
	sleep 0.2
}

# Pids of this cluster's job steps: slurmstepd and the jobs' processes. They
# are not slurmd's children (slurmstepd is reparented to pid 1 at once) and
# have no pid file; slurmd gives them SLURM_CONF=<this cluster's config>, and
# the jobs' processes also carry SLURM_JOB_ID. A client shell that only
# exported SLURM_CONF (like the caller of stop) has no SLURM_JOB_ID and is
# not one of them; this script and its ancestors are spared anyway.
job_procs() {
	local p pid comm spare=" $$ $PPID "
	pid=$PPID
	while [ "$pid" -gt 1 ] 2>/dev/null; do
		pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || break
		spare+="$pid "
	done
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		case $spare in *" $pid "*) continue ;; esac
		# environ is NUL-separated: grep -z reads one variable per record.
		grep -qzxF "SLURM_CONF=$conf" "$p/environ" 2>/dev/null || continue
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		if [ "$comm" = slurmstepd ] || grep -qz '^SLURM_JOB_ID=' "$p/environ" 2>/dev/null; then
			alive "$pid" && echo "$pid"
		fi
	done
}

jobs_gone() {
	[ -z "$(job_procs)" ]
}

stop_daemons() {
	local pid left=()
	# Jobs first, so that slurmd ends their steps cleanly; whatever is left
	# after 10 s (or when the controller is already gone) is killed.
	if ctld_up; then
		SLURM_CONF=$conf scancel --partition=main >/dev/null 2>&1 || true
		wait_for 10 jobs_gone || true
	fi
	if pid=$(live_pid "$dir/run/slurmd.pid"); then
		kill_and_wait 10 "$pid"
	fi
	# Without a controller slurmstepd ignores TERM: a short grace.
	mapfile -t left < <(job_procs)
	kill_and_wait 2 "${left[@]}"
	if pid=$(live_pid "$dir/run/slurmctld.pid"); then
		kill_and_wait 10 "$pid"
	fi
	if pid=$(live_pid "$dir/run/munged.pid"); then
		kill_and_wait 10 "$pid"
	fi
	rm -f "$dir/run/slurmctld.pid" "$dir/run/slurmd.pid" "$dir/run/munged.pid"
}

dir=$(abs_dir "$dir")
conf=$dir/etc/slurm.conf

case $cmd in
start) start ;;
stop) stop_daemons ;;
env)
	[ -f "$conf" ] || die "no cluster in $dir (run start first)"
	printf 'export SLURM_CONF=%q\n' "$conf"
	;;
status) ctld_up ;;
*) usage ;;
esac
