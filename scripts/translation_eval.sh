#!/bin/sh
# Translate the Tatoeba test split with a trained run (greedy and beam 4) and print sacreBLEU-style
# scores: single reference, and multi-reference (repeated English sources grouped).
# Usage: scripts/translation_eval.sh RUN_OR_CHECKPOINT [ATTEND_BINARY]
set -e
RUN=${1:?usage: scripts/translation_eval.sh RUN_OR_CHECKPOINT [ATTEND_BINARY]}
ATTEND=${2:-.build/release/attend}
DATA=Data/tatoeba-spa-eng
OUT=${RUN%/}/eval
mkdir -p "$OUT"
for BEAM in 1 4; do
  "$ATTEND" translate --checkpoint "$RUN" --beam $BEAM --input $DATA/test.en --output "$OUT/test.beam$BEAM.es"
  echo "== beam $BEAM, single reference"
  "$ATTEND" bleu --hypotheses "$OUT/test.beam$BEAM.es" --references $DATA/test.es
  echo "== beam $BEAM, multi-reference (grouped by English source)"
  "$ATTEND" bleu --hypotheses "$OUT/test.beam$BEAM.es" --references $DATA/test.es --sources $DATA/test.en
done
