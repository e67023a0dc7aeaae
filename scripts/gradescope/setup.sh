#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image:
# the Debian packages the grader needs, then the grader itself. The zip was
# unpacked into $AUTOGRADER_ROOT/source (default /autograder/source).
set -euo pipefail
src=${AUTOGRADER_ROOT:-/autograder}/source
cd "$src"
bash scripts/install-deps.sh
make -j"$(nproc)" all
grader/grader list
