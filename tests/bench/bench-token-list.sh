#!/usr/bin/env bash
# bench-token-list.sh [RUNS] [IDLE_SECONDS]: how fast `ekey-tool token list --json` answers,
# side by side with p11tool and pkcs11-tool on the same SoftHSM2 token (three certificates),
# and what watching for keys costs while nothing happens. Run by hand, never as a test:
#   tests/bench/bench-token-list.sh            (21 runs each, 30 s idle)
# Needs a build in _build (or EK_TOOL=path).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-21}
idle=${2:-30}
tool=${EK_TOOL:-$top/_build/app/cli/ekey-tool}
MOD=/usr/lib/softhsm/libsofthsm2.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash "$top/tests/token/make-tokens.sh" "$work" bench
export SOFTHSM2_CONF=$work/softhsm2.conf

# The tools take turns, run after run, so that a busy machine slows them all alike
names=(ekey-tool ekey-tool-registered p11tool pkcs11-tool)
cmds=(
  "$tool token list --only-listed --module $MOD --json"
  "$tool token list --json"
  "p11tool --provider $MOD --list-all-certs pkcs11:token=EK-BENCH"
  "pkcs11-tool --module $MOD --token-label EK-BENCH --list-objects"
)
for i in "${!cmds[@]}"; do   # warm-up, and check each works
  ${cmds[$i]} >/dev/null 2>&1 || { echo "${names[$i]} failed: ${cmds[$i]}" >&2; exit 1; }
done
for _ in $(seq "$runs"); do
  for i in "${!cmds[@]}"; do
    t0=$(date +%s%N); ${cmds[$i]} >/dev/null 2>&1; t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >> "$work/${names[$i]}.times"
  done
done

"$tool" token list --only-listed --module "$MOD" --json | python3 -c '
import json, sys
t = json.load(sys.stdin)["tokens"]
assert len(t) == 1 and len(t[0]["certificates"]) == 3, "expected one token with three certificates"'

python3 - "$work" "$runs" <<'PY'
import statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
def med(name):
    return statistics.median(int(l) for l in open(f"{work}/{name}.times")) / 1000
ours = med("ekey-tool")
print(f"process start → output, one SoftHSM token with three certificates, median of {runs} runs:")
print(f"  ekey-tool token list --json (SoftHSM by path)   {ours:8.1f} ms")
print(f"  ekey-tool token list --json (registered modules){med('ekey-tool-registered'):8.1f} ms")
for name, label in (("p11tool", "p11tool --list-all-certs"), ("pkcs11-tool", "pkcs11-tool --list-objects")):
    m = med(name)
    print(f"  {label:45s} {m:8.1f} ms   ratio ours/theirs {ours / m:5.2f}")
PY

cpu_of() { # pid → utime+stime in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}
idle_cost() { # label args...
  local label=$1; shift
  "$tool" token watch "$@" > /dev/null 2>&1 &
  local pid=$! hz
  hz=$(getconf CLK_TCK)
  sleep 2   # past start-up
  local c0 c1
  c0=$(cpu_of $pid); sleep "$idle"; c1=$(cpu_of $pid)
  kill $pid; wait $pid 2>/dev/null || true
  python3 -c "print(f'  {\"$label\":45s} {100 * ($c1 - $c0) / $hz / $idle:6.2f} % of one core over $idle s')"
}
echo "idle cost of \`ekey-tool token watch\` (poll every 500 ms, re-initialising each module):"
idle_cost "SoftHSM by path" --only-listed --module "$MOD"
idle_cost "registered modules (opensc, softhsm2)"
