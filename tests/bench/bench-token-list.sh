#!/usr/bin/env bash
# bench-token-list.sh [RUNS] [IDLE_SECONDS]: how fast `ekey-tool token list --json` answers,
# side by side with p11tool and pkcs11-tool on the same SoftHSM2 token (three certificates),
# and what watching for keys costs while nothing happens. Run by hand, never as a test:
#   tests/bench/bench-token-list.sh            (50 runs each, 30 s idle)
#   CALLGRIND=1 tests/bench/bench-token-list.sh 50 30   (also instructions, valgrind's callgrind)
# Needs a build in _build (or EK_TOOL=path; EK_TOOL_BEFORE=path adds another build's ekey-tool
# to the same interleaved runs, for a before/after comparison).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-50}
idle=${2:-30}
tool=${EK_TOOL:-$top/_build/app/cli/ekey-tool}
MOD=/usr/lib/softhsm/libsofthsm2.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash "$top/tests/token/make-tokens.sh" "$work" bench
export SOFTHSM2_CONF=$work/softhsm2.conf

# The tools take turns, run after run, so that a busy machine slows them all alike. For each run:
# wall time from fork to exit, and the CPU time (user + system, from wait4) the process used,
# which other engineers' load on the shared cores disturbs much less.
names=(ekey-tool ekey-tool-registered p11tool pkcs11-tool)
cmds=(
  "$tool token list --only-listed --module $MOD --json"
  "$tool token list --json"
  "p11tool --provider $MOD --list-all-certs pkcs11:token=EK-BENCH"
  "pkcs11-tool --module $MOD --token-label EK-BENCH --list-objects"
)
if [ -n "${EK_TOOL_BEFORE:-}" ]; then
  names+=(ekey-tool-before)
  cmds+=("$EK_TOOL_BEFORE token list --only-listed --module $MOD --json")
fi
for i in "${!cmds[@]}"; do   # check each works
  ${cmds[$i]} >/dev/null 2>&1 || { echo "${names[$i]} failed: ${cmds[$i]}" >&2; exit 1; }
done

"$tool" token list --only-listed --module "$MOD" --json | python3 -c '
import json, sys
t = json.load(sys.stdin)["tokens"]
assert len(t) == 1 and len(t[0]["certificates"]) == 3, "expected one token with three certificates"'

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores, shared)"
python3 - "$runs" "${names[@]}" -- "${cmds[@]}" <<'PY'
import os, shlex, statistics, sys, time
args = sys.argv[1:]
runs = int(args[0]); sep = args.index("--")
names, cmds = args[1:sep], [shlex.split(c) for c in args[sep + 1:]]
null = os.open(os.devnull, os.O_RDWR)

def once(argv):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0); os.dup2(null, 1); os.dup2(null, 2)
        os.execvp(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    assert os.waitstatus_to_exitcode(status) == 0, argv
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000

for argv in cmds:              # warm-up: page cache, SoftHSM's files
    for _ in range(5):
        once(argv)
wall = {n: [] for n in names}; cpu = {n: [] for n in names}
for _ in range(runs):
    for n, argv in zip(names, cmds):
        w, c = once(argv)
        wall[n].append(w); cpu[n].append(c)

med = lambda xs: statistics.median(xs)
labels = {"ekey-tool": "ekey-tool token list --json (SoftHSM by path)",
          "ekey-tool-registered": "ekey-tool token list --json (registered modules)",
          "p11tool": "p11tool --list-all-certs",
          "pkcs11-tool": "pkcs11-tool --list-objects",
          "ekey-tool-before": "EK_TOOL_BEFORE token list --json (SoftHSM by path)"}
print(f"process start → exit, one SoftHSM token with three certificates, {runs} interleaved runs each:")
print(f"  {'':50s} {'wall median':>12s} {'CPU median':>11s}")
for n in names:
    print(f"  {labels[n]:50s} {med(wall[n]):9.2f} ms {med(cpu[n]):8.2f} ms")
ours_w, ours_c = med(wall["ekey-tool"]), med(cpu["ekey-tool"])
for n in ("p11tool", "pkcs11-tool") + (("ekey-tool-before",) if "ekey-tool-before" in names else ()):
    print(f"  ratio ours/{n:12s} wall {ours_w / med(wall[n]):5.2f}   CPU {ours_c / med(cpu[n]):5.2f}")
fastest = min(("p11tool", "pkcs11-tool"), key=lambda n: med(wall[n]))
print(f"summary: ours {ours_w:.2f} ms vs the faster tool ({fastest}) {med(wall[fastest]):.2f} ms: "
      f"ratio {ours_w / med(wall[fastest]):.2f} (≤ 1.00 is the goal)")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v hyperfine >/dev/null && [ "${HYPERFINE:-1}" = 1 ]; then
  echo "hyperfine (each command's runs back to back, not interleaved):"
  hyperfine -N --warmup 5 --runs "$runs" --style basic "${cmds[0]}" "${cmds[2]}" "${cmds[3]}" 2>&1 |
    grep -E "Benchmark|Time \(mean"
fi

# Instructions from process start to exit (callgrind): robust on a shared, busy machine
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  echo "instructions (callgrind, one run each):"
  for i in 0 2 3; do
    # shellcheck disable=SC2086
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ${cmds[$i]} 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p')
    printf '  %-22s %12s\n' "${names[$i]}" "$n"
  done
fi

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
