#!/bin/sh
# run-materials.sh [RUNS] [--noise low|SCALE] [--ours-only]: build, then measure our fit against ImageMagick and jpegoptim on a
# generated corpus (A4 300 DPI pages with small Chinese text and a red seal, a grey photocopy,
# an ID card, a 4000×3000 phone photo, a PNG-24 page) at 200 KB and 1 MB. Prints the table and
# one summary line per limit. --noise low: the corpus with its scanner noise calibrated to the
# issue's reference figures (the default corpus is noisier). EK_TOOL_BEFORE=OTHER/ekey-tool adds
# our fit from another build, timed in the same run. Needs imagemagick and jpegoptim (tools/deps/materials.txt).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/_build}
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" app/cli/ekey-tool app/cli/ekey-tool-material tests/bench/bench-materials >/dev/null
[ $# -gt 0 ] || set -- 3
EK_TOOL=$build/app/cli/ekey-tool exec "$build/tests/bench/bench-materials" "$@"
