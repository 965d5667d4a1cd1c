#!/bin/bash
# Submits a study as a Slurm job array of SHARDS tasks plus a merge job that waits for all of them.
#   scripts/slurm/submit.sh linear-attention full 4
# Without Slurm (LOCAL=1) runs the same scripts one after another on this machine.
set -euo pipefail
STUDY=${1:?study name}; SCALE=${2:-full}; SHARDS=${3:-4}; OUT=${4:-reports/$STUDY-shards}
DIR=$(dirname "$0")
if [[ "${LOCAL:-0}" == 1 ]]; then
    for ((i = 0; i < SHARDS; i++)); do
        SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$SHARDS bash "$DIR/replicate-shard.sbatch" "$STUDY" "$SCALE" "$OUT"
    done
    bash "$DIR/merge.sbatch" "$STUDY" "$SCALE" "$SHARDS" "$OUT"
    exit
fi
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$DIR/replicate-shard.sbatch" "$STUDY" "$SCALE" "$OUT")
sbatch --dependency=afterok:"$array" "$DIR/merge.sbatch" "$STUDY" "$SCALE" "$SHARDS" "$OUT"
