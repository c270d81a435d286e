#!/usr/bin/env python3
# analyse.py LABEL CORPUS_DIR BENCH: study.py's results as a table. Per image: our fit's SSIM at
# 200 KB, ImageMagick's (convert -define jpeg:extent), mozjpeg's best table at our page's size,
# the oracle (the best of every table and size tried), the oracle's SSIM interpolated to exactly
# 200 KB x 0.98 between its quality and the next one's (mozjpeg's qualities step 3-7 % in
# bytes here), and mozjpeg's time per encode of our page (table 3, trellis, WASM under node).
import json, subprocess, sys, os
label, C, bench = sys.argv[1:4]
target = int(200 * 1024 * 0.98)
rows = [json.loads(l) for l in open(os.path.join(os.environ.get('OUT', '/tmp/ek-jpeg-ceiling'), label, 'results.jsonl'))]
names = ['a4-sealed', 'a4-photocopy', 'id-card', 'phone-photo', 'a4-png24']
ext = {'a4-png24': 'png'}
def score(ref, jpg):
    return float(subprocess.check_output([bench, '--score', ref, jpg]).strip())
tot = dict(ours=0, im=0, at=0, oracle=0, interp=0); n = 0
print(f'{"image":13} {"ours":>6} {"IM":>6} {"moz@ours":>8} {"tbl":>3} {"oracle":>6} {"w":>5} {"tbl":>3} {"q":>3} {"bytes":>7} {"@target":>7} {"ms/enc":>6}')
for name in names:
    rs = [r for r in rows if r['image'] == name and r['quality'] > 0]
    if not rs: continue
    ours, im = rs[0]['ours'], rs[0]['im']
    w0 = min(r['w'] for r in rs if r['scale'] == 1.0)
    at = max((r for r in rs if r['scale'] == 1.0), key=lambda r: r['ssim'])
    orc = max(rs, key=lambda r: r['ssim'])
    src = f'{C}/{name}.{ext.get(name, "jpg")}'
    jpg = os.environ.get('OUT', '/tmp/ek-jpeg-ceiling') + f'/{label}/{name}-{orc["w"]}-t{orc["table"]}-{int(orc["trellis"])}.over.jpg'
    interp = orc['ssim']
    if os.path.exists(jpg) and orc['over_bytes'] > target > orc['bytes']:
        so = score(src, jpg)
        interp = orc['ssim'] + (so - orc['ssim']) * (target - orc['bytes']) / (orc['over_bytes'] - orc['bytes'])
    ms = [r['ms_per_encode'] for r in rs if r['scale'] == 1.0 and r['trellis'] and r['table'] == 3]
    print(f'{name:13} {ours:6.4f} {im:6.4f} {at["ssim"]:8.4f} {at["table"]:3d} {orc["ssim"]:6.4f} {orc["w"]:5d} {orc["table"]:3d} {orc["quality"]:3d} {orc["bytes"]:7d} {interp:7.4f} {ms[0] if ms else 0:6d}')
    tot['ours'] += ours; tot['im'] += im; tot['at'] += at['ssim']; tot['oracle'] += orc['ssim']; tot['interp'] += interp; n += 1
print(f'{"mean":13} {tot["ours"]/n:6.4f} {tot["im"]/n:6.4f} {tot["at"]/n:8.4f}     {tot["oracle"]/n:6.4f}                          {tot["interp"]/n:7.4f}')
print(f'oracle - IM {tot["oracle"]/n - tot["im"]/n:+.4f}, interpolated oracle - IM {tot["interp"]/n - tot["im"]/n:+.4f}, ours - IM {tot["ours"]/n - tot["im"]/n:+.4f}')
