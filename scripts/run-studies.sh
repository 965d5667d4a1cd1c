#!/usr/bin/env bash
# Runs full-scale studies one after another in the background-friendly way the reports are made:
# each `attend replicate` resumes (stored runs are skipped, a run cut off mid-way continues from its
# checkpoint), so the script can be stopped (Ctrl-C: the current run checkpoints) and started again.
#
#   scripts/run-studies.sh linear-attention expressive-power leviathan
#
# Then `attend report reports/<study>` rewrites each report from its stored results.
set -u
cd "$(dirname "$0")/.."
swift build -c release || exit $?
for study in "$@"; do
    echo "== $(date -u +%FT%TZ) $study"
    .build/release/attend replicate "$study" --scale full
    status=$?
    # 130/143: stopped by a signal (the run checkpointed); anything else non-zero is an error.
    if [ $status -ne 0 ]; then echo "== $study stopped with status $status"; exit $status; fi
done
