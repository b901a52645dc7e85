#!/usr/bin/env bash
# Compares Amadeus with llama.cpp on the same files in one sitting. Each file runs four times in a row:
# llama-bench, amadeus bench, amadeus bench, llama-bench, so that both sides meet the same minutes of a noisy
# machine; a single run of each, one after the other, can differ by a third from one minute to the next.
#
#   LLAMA_BENCH=/path/to/llama-bench scripts/bench-vs-llama.sh MODEL.gguf [MODEL.gguf...]
#
# Options through the environment: THREADS (2), PROMPT (512), GENERATE (128), REPETITIONS (5), and ROUNDS (1):
# how many times each file's four runs are repeated. After a file's rounds, one line per test gives the mean of
# our medians over the mean of llama.cpp's means.
# llama-bench is not part of this project: build it from llama.cpp's sources beforehand.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}" prompt="${PROMPT:-512}" generate="${GENERATE:-128}" reps="${REPETITIONS:-5}" rounds="${ROUNDS:-1}"
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
  local err
  err="$(mktemp)"
  # A failed run prints its error and the sitting goes on.
  "$root/amadeus" bench -m "$1" -t "$threads" -p "$prompt" -n "$generate" -r "$reps" --json 2>"$err" |
    python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in ("pp", "tg"):
    r = d.get(k)
    if r: print("amadeus   %-6s %8.2f ± %.2f  median %.2f" % (k + str(r["tokens"]), r["mean"], r["stddev"], r["median"]))
print("amadeus   load %.2f s, first token %.2f s, peak RSS %.0f MiB" % (d["load_seconds"], d["ttft_seconds"], d["rss_bytes"] / 2**20))' 2>/dev/null ||
    { echo "amadeus   run failed:"; grep -v 'warm-up\|run [0-9]' "$err" | tail -n 5; }
  rm -f "$err"
}

for model in "$@"; do
  log="$(mktemp)"
  for round in $(seq 1 "$rounds"); do
    echo "=== $(basename "$model") $(date +%H:%M:%S)" | tee -a "$log"
    llama "$model" | tee -a "$log"
    amadeus "$model" | tee -a "$log"
    amadeus "$model" | tee -a "$log"
    llama "$model" | tee -a "$log"
  done
  # Our medians' mean over llama.cpp's means' mean, per test, over all the rounds.
  python3 - "$log" <<'PY'
import re, sys
ours, theirs = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"llama\.cpp (\S+)\s+([\d.]+)", line)
    if m: theirs.setdefault(m.group(1), []).append(float(m.group(2)))
    m = re.match(r"amadeus\s+(pp\d+|tg\d+)\s.*median ([\d.]+)", line)
    if m: ours.setdefault(m.group(1), []).append(float(m.group(2)))
for test in sorted(ours):
    if test in theirs:
        o, t = ours[test], theirs[test]
        print("ratio %-6s %.2fx (our medians %s; llama.cpp's means %s)" % (test, (sum(o) / len(o)) / (sum(t) / len(t)),
              ", ".join("%.1f" % v for v in o), ", ".join("%.1f" % v for v in t)))
PY
  rm -f "$log"
done
