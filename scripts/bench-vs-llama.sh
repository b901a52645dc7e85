#!/usr/bin/env bash
# Compares Amadeus with llama.cpp on the same files in one sitting. Each file runs four times in a row:
# llama-bench, amadeus bench, amadeus bench, llama-bench, so that both sides meet the same minutes of a noisy
# machine; a single run of each, one after the other, can differ by a third from one minute to the next.
#
#   LLAMA_BENCH=/path/to/llama-bench scripts/bench-vs-llama.sh MODEL.gguf [MODEL.gguf...]
#
# Options through the environment: THREADS (2), PROMPT (512), GENERATE (128), REPETITIONS (5).
# llama-bench is not part of this project: build it from llama.cpp's sources beforehand.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}" prompt="${PROMPT:-512}" generate="${GENERATE:-128}" reps="${REPETITIONS:-5}"
if [ -z "${LLAMA_BENCH:-}" ] || [ ! -x "$LLAMA_BENCH" ]; then
  echo "bench-vs-llama: set LLAMA_BENCH to an executable llama-bench (got '${LLAMA_BENCH:-}')" >&2
  exit 2
fi
if [ "$#" -eq 0 ]; then
  echo "usage: LLAMA_BENCH=/path/to/llama-bench $0 MODEL.gguf [MODEL.gguf...]" >&2
  exit 2
fi
# llama-bench's shared libraries usually sit beside it.
export LD_LIBRARY_PATH="$(dirname "$LLAMA_BENCH")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

llama() {
  "$LLAMA_BENCH" -m "$1" -t "$threads" -p "$prompt" -n "$generate" -r "$reps" -o json |
    python3 -c 'import json, sys
for t in json.load(sys.stdin):
    test = "pp%d" % t["n_prompt"] if t["n_gen"] == 0 else "tg%d" % t["n_gen"]
    print("llama.cpp %-6s %8.2f ± %.2f" % (test, t["avg_ts"], t["stddev_ts"]))'
}

amadeus() {
  "$root/amadeus" bench -m "$1" -t "$threads" -p "$prompt" -n "$generate" -r "$reps" --json 2>/dev/null |
    python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in ("pp", "tg"):
    r = d.get(k)
    if r: print("amadeus   %-6s %8.2f ± %.2f  median %.2f" % (k + str(r["tokens"]), r["mean"], r["stddev"], r["median"]))
print("amadeus   load %.2f s, first token %.2f s, peak RSS %.0f MiB" % (d["load_seconds"], d["ttft_seconds"], d["rss_bytes"] / 2**20))'
}

for model in "$@"; do
  echo "=== $(basename "$model") $(date +%H:%M:%S)"
  llama "$model"
  amadeus "$model"
  amadeus "$model"
  llama "$model"
done
