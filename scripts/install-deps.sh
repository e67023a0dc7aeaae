#!/usr/bin/env bash
# Installs the Debian packages the grader needs, only those missing, and says
# what it installs. Idempotent: a second run installs nothing and prints one
# line. Run as root (or with sudo available) on Debian 12.
set -euo pipefail

# Why each package:
#   gcc clang            compile submissions; clang for its sanitizer runtimes
#   libclang-rt-14-dev   clang's ASan/TSan/UBSan runtimes
#   make pkg-config      build the grader
#   libyaml-dev          the spec parser (libyaml)
#   libjansson-dev       results.json (jansson)
#   check libsubunit-dev the unit tests (Check) and the exercises' Check suites
#   libxml2-utils        xmllint: junit.xml is validated against its schema in the tests
#   valgrind gdb         memcheck/helgrind/drd variants; stacks of hung runs
#   procps psmisc        ps/pkill for the tests' process checks
#   util-linux iproute2  unshare, network namespaces
#   libarchive-dev       `grader batch`: unpacking students' .zip/.tar.gz safely
#   libssl-dev           libcrypto: SHA-256 of batch's cache key, base64 of the GitHub
#                        Classroom result (--format github)
#   zip unzip jq         `make gradescope` packs the autograder zip; its run_autograder
#                        reads submission_metadata.json and always leaves valid JSON
#   slurm-wlm munge      scripts/slurm-cluster.sh: a real single-node Slurm cluster
#                        on loopback for the tests of `grader batch --slurm`
#   tftp-hpa             a real TFTP client: server tests with `client: tftp-hpa`
#   chromium libpng-dev  the test renders summary.html headless and reads the PNG
PACKAGES=(gcc clang libclang-rt-14-dev make pkg-config libyaml-dev libjansson-dev libxml2-utils
          check libsubunit-dev valgrind gdb procps psmisc util-linux iproute2
          libarchive-dev libssl-dev zip unzip jq slurm-wlm munge tftp-hpa chromium libpng-dev)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: missing packages (${missing[*]}) and not root: install them as root" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
