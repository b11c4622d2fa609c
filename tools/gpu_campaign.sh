#!/usr/bin/env bash
# The checkpoint campaign on the borrowed GPU machine, in one device call.
#
# There (JAX and PyTorch, no TensorFlow, no package index) it installs Keras and
# the two small packages it needs beyond the machine's image from wheels carried
# in .whl/, unpacks the training data carried in .gpu/zoo/*.npz.xz, and runs
# tools/campaign.py on JAX with the flags given; results land in $OUT.
# `python tools/campaign.py --prepare_carry --presets ...` writes .whl/ and .gpu/;
# README, "Training on a GPU", has the device call.
#
#   bash tools/gpu_campaign.sh --presets wgan-mnist,dcgan-mnist --minutes 7
#
# With --study first, it runs studies/wgan_claims.py instead: $SHARDS processes
# (default 10) share its runs, whose files land in $OUT/study (runs carried in
# $ZOO_CARRIED/study continue); write the report on this side with
# `python studies/wgan_claims.py --report --runs <fetched>/study`.
#
#   bash tools/gpu_campaign.sh --study --g_steps 10000
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/zoo-campaign-out}
PYTHON=${PYTHON:-python3}
WHEELS=${ZOO_WHEELS:-.whl}      # what --prepare_carry wrote
CARRIED=${ZOO_CARRIED:-.gpu}
mkdir -p "$OUT"
if compgen -G "$WHEELS/*.whl" >/dev/null; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/zoo-site "$WHEELS"/*.whl
  export PYTHONPATH=/tmp/zoo-site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
if compgen -G "$CARRIED/zoo/*.npz.xz" >/dev/null; then
  mkdir -p /tmp/zoo-data/zoo
  for f in "$CARRIED"/zoo/*.npz.xz; do
    "$PYTHON" -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.open(sys.argv[1]).read())' \
      "$f" "/tmp/zoo-data/zoo/$(basename "$f" .xz)"
  done
  export TFDS_DATA_DIR=/tmp/zoo-data
fi
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # several runs share one GPU
export PYTHONUNBUFFERED=1
if [ "${1:-}" = "--study" ]; then
  shift
  shards=${SHARDS:-10}
  mkdir -p "$OUT/study"
  [ -d "$CARRIED/study" ] && cp -r "$CARRIED/study/." "$OUT/study/"
  pids=()
  for ((i = 0; i < shards; i++)); do
    "$PYTHON" studies/wgan_claims.py --runs "$OUT/study" --shard "$i/$shards" \
      --nowrite_report --out "$OUT/study-report" "$@" > "$OUT/study-$i.log" 2>&1 &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  echo "study: $shards shards, $failed failed (logs: $OUT/study-*.log)"
  exit "$failed"
fi
resume=()
[ -d "$CARRIED/runs" ] && resume=(--resume_from "$CARRIED/runs")
"$PYTHON" tools/campaign.py --outdir "$(mktemp -d)" --pack "$OUT" "${resume[@]}" "$@" \
  2>&1 | tee "$OUT/campaign.log"
