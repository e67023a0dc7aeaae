#!/usr/bin/env bash
# A throw-away one-node Slurm cluster on loopback for the batch tests
# (check_batch_slurm.c), following /work/shared/FACTS.md "Slurm on one
# machine". Same interface as scripts/slurm-cluster.sh (another helper's,
# not yet merged when this was written); once that one is in, the test can
# use it instead and this file can go.
#
#   batch-slurm-cluster.sh start DIR   munged + slurmctld + slurmd, all under DIR
#   batch-slurm-cluster.sh env DIR     the SLURM_CONF clients need
#   batch-slurm-cluster.sh stop DIR    cancel jobs, stop the daemons by their pid files
#
# Nothing outside DIR is written; ports are chosen free at start.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 start|env|stop DIR" >&2; exit 2; }
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd -P)
conf=$dir/etc/slurm.conf

die() { echo "batch-slurm-cluster: $*" >&2; exit 1; }

port() {
	local p
	for _ in $(seq 100); do
		p=$((30000 + RANDOM % 20000))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
	die "no free port"
}

pid_of() { [ -s "$1" ] && tr -dc 0-9 <"$1"; }

poll() { # seconds command...
	local n=$(( $1 * 10 )); shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1
	done
}

stop() {
	[ -f "$conf" ] && SLURM_CONF=$conf timeout 10 scancel --quiet --user=root >/dev/null 2>&1 || true
	local f p
	for f in "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
		p=$(pid_of "$f" 2>/dev/null) || continue
		[ -n "$p" ] && kill "$p" 2>/dev/null || continue
		poll 15 sh -c "! kill -0 $p" || kill -9 "$p" 2>/dev/null || true
	done
}

case $cmd in
env)
	echo "export SLURM_CONF=$conf"
	;;
stop)
	stop
	;;
start)
	for t in sbatch squeue /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged /usr/sbin/mungekey; do
		command -v "$t" >/dev/null || die "$t missing: install slurm-wlm and munge (make deps)"
	done
	[ "$(id -u)" -eq 0 ] || die "needs root"
	stop
	rm -rf "$dir/etc" "$dir/munge" "$dir/state" "$dir/spool" "$dir/run" "$dir/log"
	mkdir -p "$dir/etc" "$dir/munge" "$dir/state" "$dir/spool" "$dir/run" "$dir/log"
	chmod 755 "$dir" "$dir/munge"
	chown munge:munge "$dir/munge"
	/usr/sbin/mungekey -c -k "$dir/munge/munge.key" >/dev/null
	chown munge:munge "$dir/munge/munge.key"
	chmod 400 "$dir/munge/munge.key"
	runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" \
		--key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
		--log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" ||
		die "munged did not start"
	mem=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
	cat >"$conf" <<CONF
ClusterName=gradertest
SlurmctldHost=localhost
SlurmctldPort=$(port)
SlurmdPort=$(port)
SlurmUser=root
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
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${mem:-1024} State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF=$conf
	/usr/sbin/slurmctld -f "$conf" || die "slurmctld did not start"
	poll 30 sh -c "scontrol ping | grep -q 'is UP'" || { tail "$dir/log/slurmctld.log" >&2; stop; die "slurmctld not up"; }
	/usr/sbin/slurmd -f "$conf" -N localhost || { stop; die "slurmd did not start"; }
	poll 30 sh -c "sinfo -h -N -o %T | grep -qx idle" || { tail "$dir/log/slurmd.log" >&2; stop; die "node not idle"; }
	echo "batch-slurm-cluster: up in $dir"
	;;
*)
	die "unknown command $cmd"
	;;
esac
