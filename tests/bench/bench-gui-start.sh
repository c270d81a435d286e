#!/usr/bin/env bash
# bench-gui-start.sh [RUNS]: the assistant's cold start, from fork to its first frame on screen,
# under Xvfb. Run by hand, never as a test:
#   tests/bench/bench-gui-start.sh                       (20 runs)
#   EK_ASSISTANT_BEFORE=OTHER/ekey-assistant tests/bench/bench-gui-start.sh   (both, interleaved)
# The first frame is seen without asking the X server: Xvfb keeps its screen in a file (-fbdir),
# read here every half millisecond until the window's area is no longer the black background.
# Each run is a new process with a fresh HOME and XDG folders (no drafts, no settings), in one
# D-Bus session; the app is closed and the screen black again before the next run.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-20}
app=${EK_ASSISTANT:-$top/_build/app/gui/ekey-assistant}
work=$(mktemp -d)
trap 'kill "$xvfb" 2>/dev/null || true; rm -rf "$work"' EXIT

display=:$((90 + RANDOM % 400))
Xvfb "$display" -screen 0 1280x800x24 -br -nolisten tcp -fbdir "$work" 2>/dev/null &
xvfb=$!
for _ in $(seq 100); do [ -e "$work/Xvfb_screen0" ] && break; sleep 0.05; done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores, shared)"
DISPLAY=$display dbus-run-session -- python3 - "$runs" "$work" "$top" "$app" ${EK_ASSISTANT_BEFORE:+"$EK_ASSISTANT_BEFORE"} <<'PY'
import mmap, os, signal, statistics, struct, sys, tempfile, time
runs, work, top, apps = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
fb = open(os.path.join(work, "Xvfb_screen0"), "rb")
m = mmap.mmap(fb.fileno(), 0, access=mmap.ACCESS_READ)
header_size, = struct.unpack(">I", m[0:4])
ncolors, = struct.unpack(">I", m[76:80])
bytes_per_line, = struct.unpack(">I", m[48:52])
offset = header_size + 12 * ncolors
points = [offset + y * bytes_per_line + x * 4 for y in range(20, 400, 40) for x in range(20, 600, 40)]

def drawn():
    return any(m[p:p + 3] != b"\0\0\0" for p in points)

def once(app):
    home = tempfile.mkdtemp(dir=work)
    env = dict(os.environ, HOME=home, XDG_DATA_HOME=home + "/data", XDG_CONFIG_HOME=home + "/config",
               XDG_CACHE_HOME=home + "/cache", XDG_STATE_HOME=home + "/state",
               GSETTINGS_BACKEND="memory", GSETTINGS_SCHEMA_DIR=top + "/_build/data",
               GSK_RENDERER="cairo", GDK_BACKEND="x11", NO_AT_BRIDGE="1", LANGUAGE="zh_CN", LANG="C.UTF-8")
    null = os.open(os.devnull, os.O_RDWR)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0); os.dup2(null, 1); os.dup2(null, 2)
        os.execve(app, [app], env)
    while not drawn():
        if time.perf_counter() - t0 > 30:
            raise SystemExit(f"{app}: no frame within 30 s")
        time.sleep(0.0005)
    t = (time.perf_counter() - t0) * 1000
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    while drawn():
        time.sleep(0.005)
    return t

for app in apps:          # warm-up: page cache, fontconfig's cache
    for _ in range(2):
        once(app)
times = {a: [] for a in apps}
for _ in range(runs):
    for app in apps:
        times[app].append(once(app))
print(f"fork → first frame under Xvfb (cairo renderer), {runs} interleaved runs each:")
for app in apps:
    xs = times[app]
    print(f"  {app:60s} median {statistics.median(xs):7.1f} ms  (min {min(xs):.1f}, max {max(xs):.1f})")
if len(apps) > 1:
    print(f"  ratio {apps[0]} / {apps[1]}: {statistics.median(times[apps[0]]) / statistics.median(times[apps[1]]):.2f}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
