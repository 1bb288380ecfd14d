#!/usr/bin/env bash
# Runs gemm-timer on the lent GPU machine (after tools/gpu-pack here; carry .gpu). A pipeline whose kernels hang would
# stop the whole run, so each pipeline first runs the small smoke problems in a process of its own; the timing run
# then measures those that passed. Output: the smoke lines, then gemm-timer's tables (also under $OUT/gemm-timer.log).
# SMOKE_PIPELINES limits the pipelines smoke-tested (and so timed). Time limits (seconds): SMOKE_TIMEOUT per smoke process (60), TIMER_TIMEOUT for the timing run (360): 600 at most.
#   bash tools/gemm-timer/gpu-run.sh [gemm-timer options, e.g. --preset qwen3-235b-a22b --tokens 4096]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-/tmp/moetune-out}
mkdir -p "$out"
export MOETUNE_KERNEL_CACHE=${MOETUNE_KERNEL_CACHE:-/tmp/moetune-kernels}
timer=(bash "$root/.gpu/run.sh" dotnet "$root/.gpu/tools/gemm-timer/gemm-timer.dll")
passed=()
for pipeline in ${SMOKE_PIPELINES:-separate-gather fused-gather register-fp4 register-fp4-separate-gather fragments tile-pairs}; do
  timeout "${SMOKE_TIMEOUT:-60}" "${timer[@]}" --smoke --pipelines "$pipeline" --hang-seconds 20 2>&1 | tee -a "$out/gemm-smoke.log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ]; then passed+=("$pipeline"); else echo "== pipeline $pipeline left out of the timing: smoke rc=$rc =="; fi
done
[ ${#passed[@]} -gt 0 ] || { echo "== no pipeline passed its smoke test =="; exit 1; }
list=$(IFS=,; echo "${passed[*]}")
timeout "${TIMER_TIMEOUT:-360}" "${timer[@]}" --pipelines "$list" "$@" 2>&1 | tee "$out/gemm-timer.log"
