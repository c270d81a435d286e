#!/usr/bin/env python3
# study.py CORPUS_DIR LABEL BENCH [IMAGES [SCALES [TABLE]]]: how far can a JPEG encoder go at 200 KB?
#
# For each image of a bench corpus (the folder tests/bench/run-materials.sh leaves behind, with
# its inputs and each tool's 200 KB outputs): the page our fit made (its size, from
# NAME-ours-200.jpg) is rebuilt by BENCH --resize (the bench program: our decoder, grey
# decision and resize), encoded by mozjpeg (moz.mjs) at the largest quality that fits
# 200 KB x 0.98 with each of its quant tables 0-8, trellis on (and the best table once with
# trellis off), then with the best table at other sizes around ours (SCALES, default
# 0.92-1.32 x ours, never above the original): an oracle choice per image. Every encode is
# scored by BENCH --score (the bench's own SSIM). One JSON line per encode goes to
# $OUT/LABEL/results.jsonl (OUT defaults to /tmp/ek-jpeg-ceiling); analyse.py makes the table.
# IMAGES: comma-separated names to do (default all); TABLE: skip the table sweep, use this one.
# Optional bench tool, never run by CI; run it under nice: it takes about 15 min a corpus.
import json, os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
C, label, bench = sys.argv[1], sys.argv[2], sys.argv[3]
only = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else None
scales = [float(x) for x in sys.argv[5].split(",")] if len(sys.argv) > 5 else [0.92, 1.08, 1.16, 1.24, 1.32]
tables_only = sys.argv[6] if len(sys.argv) > 6 else None
out = os.path.join(os.environ.get('OUT', '/tmp/ek-jpeg-ceiling'), label); os.makedirs(out, exist_ok=True)
target = int(200 * 1024 * 0.98)
items = [('a4-sealed', 'jpg'), ('a4-photocopy', 'jpg'), ('id-card', 'jpg'), ('phone-photo', 'jpg'), ('a4-png24', 'png')]
log = open(f'{out}/results.jsonl', 'a')
def wh(path):
    return tuple(int(v) for v in subprocess.check_output(['identify', '-format', '%w %h', path]).split())
def score(ref, jpg):
    return float(subprocess.check_output([bench, '--score', ref, jpg]).strip())
for name, ext in items:
    if only and name not in only: continue
    src = f'{C}/{name}.{ext}'
    ow, oh = wh(src)
    w, h = wh(f'{C}/{name}-ours-200.jpg')
    ours = score(src, f'{C}/{name}-ours-200.jpg')
    im = score(src, f'{C}/{name}-im-extent-200.jpg')
    print(f'# {label} {name}: ours {w}x{h} {ours:.4f}, im {im:.4f}', flush=True)
    qstart = 40
    def run(scale, table, trellis=True):
        global qstart
        sw = min(ow, round(w * scale)); sh = min(oh, round(h * scale))
        pnm = f'{out}/{name}-{sw}.pnm'
        if not os.path.exists(pnm):
            subprocess.check_call(['nice', '-n', '19', bench, '--resize', src, str(sw), str(sh), pnm])
        mode = 'grey' if open(pnm, 'rb').read(2) == b'P5' else '420'
        jpg = f'{out}/{name}-{sw}-t{table}-{int(trellis)}.jpg'
        r = json.loads(subprocess.check_output(['nice', '-n', '19', 'node', os.path.join(here, 'moz.mjs'), pnm, jpg, str(target), str(table), mode, '1' if trellis else '0'],
                                               env=dict(os.environ, QSTART=str(qstart))))
        if r['quality']:
            qstart = r['quality']
            r['ssim'] = score(src, jpg)
        else:
            r['ssim'] = 0
        r.update(image=name, corpus=label, scale=scale, ours=ours, im=im)
        log.write(json.dumps(r) + '\n'); log.flush()
        print(json.dumps(r), flush=True)
        return r
    if tables_only is None:
        res = [run(1.0, t) for t in range(9)]
        best = max(res, key=lambda r: r['ssim'])
        run(1.0, best['table'], trellis=False)
    else:
        best = {'table': int(tables_only)}
    for s in scales:
        if s > 1 and w >= ow: continue
        run(s, best['table'])
