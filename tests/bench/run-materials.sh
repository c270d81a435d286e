#!/bin/sh
# run-materials.sh [RUNS] [--seed N] [--ocr] [--noise low|SCALE] [--ours-only]: build, then
# measure our fit against ImageMagick (extent, and extent after a 150 DPI resize), jpegoptim and
# a Pillow quality search at 200 KB and 1 MB, in one run. Prints the table and one summary line
# per limit (tests/bench/README.md says what each column means).
#   without --seed: the fixed corpus (A4 300 DPI pages with small Chinese text and a red seal, a
#     grey photocopy, an ID card, a 4000×3000 phone photo, a PNG-24 page); --noise low: its
#     scanner noise calibrated to the first materials issue's reference figures
#   --seed N: eight scans drawn from seed N (tests/materials/ek-test-corpus.c). The fit is tuned
#     on seeds 1, 7, 23, 41, 59, 83, 97, 113 and 127; seed 131 was held out last (fifth round),
#     and the next round holds out a new seed.
#   --ocr: tesseract chi_sim reads each output's text block; agreement with the original's read
# Ours is timed through bench-fit, the fit alone as the app runs it (bench-fit.c says why);
# EK_TOOL_BEFORE=OTHER/bench-fit (or an ekey-tool) adds our fit from another build, or through
# ekey-tool's command line, timed in the same run.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/_build}

# Bench-only Debian packages (tests/bench/materials-deps.txt), installed when missing
missing=
for p in $(sed 's/#.*//' "$top/tests/bench/materials-deps.txt"); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "run-materials.sh: needs$missing (sudo apt-get install$missing)" >&2
    exit 1
  fi
fi

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" tests/bench/bench-fit tests/bench/bench-materials >/dev/null
[ $# -gt 0 ] || set -- 3
# The machine may be shared: its load before and after, beside the timings
echo "# load before: $(uptime)"
EK_TOOL=$build/tests/bench/bench-fit "$build/tests/bench/bench-materials" "$@"
echo "# load after: $(uptime)"
