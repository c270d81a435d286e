// moz.mjs IN.pnm OUT.jpg TARGET_BYTES TABLE MODE(grey|420|444) [TRELLIS 0|1]
//
// The largest mozjpeg quality (1-100) whose encode fits TARGET_BYTES, with quant table TABLE
// (mozjpeg's 0-8), progressive, optimised Huffman, trellis quantisation unless TRELLIS is 0.
// Writes OUT.jpg and, beside it, the next quality's encode (OUT.over.jpg, over the target)
// so that the SSIM at exactly the target can be interpolated. Prints one JSON line.
// QSTART=Q: the quality to start from (the search brackets by steps of 4, then bisects).
// Optional bench tool: npm install in this folder first (see README.md).
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import encode, { init } from '@jsquash/jpeg/encode.js';
const dir = path.dirname(fileURLToPath(import.meta.url));
const wasm = fs.readFileSync(path.join(dir, 'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
await init(await WebAssembly.compile(wasm));
const [inp, out, targetS, tableS, mode, trellisS] = process.argv.slice(2);
const target = +targetS, table = +tableS, trellis = trellisS !== '0';
const buf = fs.readFileSync(inp);
// parse PNM header
let pos = 0; const tok = () => { while (/\s/.test(String.fromCharCode(buf[pos]))) pos++; let s = ''; while (!/\s/.test(String.fromCharCode(buf[pos]))) s += String.fromCharCode(buf[pos++]); return s; };
const magic = tok(), w = +tok(), h = +tok(); tok(); pos++;
const ch = magic === 'P5' ? 1 : 3;
const rgba = new Uint8ClampedArray(w * h * 4);
for (let i = 0, j = pos; i < w * h; i++, j += ch) {
  rgba[4 * i] = buf[j]; rgba[4 * i + 1] = buf[ch === 1 ? j : j + 1]; rgba[4 * i + 2] = buf[ch === 1 ? j : j + 2]; rgba[4 * i + 3] = 255;
}
const img = { data: rgba, width: w, height: h };
const opts = (q) => ({ quality: q, baseline: false, arithmetic: false, progressive: true, optimize_coding: true, smoothing: 0,
  color_space: mode === 'grey' ? 1 : 3, quant_table: table, trellis_multipass: trellis, trellis_opt_zero: trellis,
  trellis_opt_table: trellis, trellis_loops: 1, auto_subsample: false, chroma_subsample: mode === '444' ? 1 : 2,
  separate_chroma_quality: false, chroma_quality: 75 });
let lo = 1, hi = 100, best = null, n = 0, ms = 0;
const tried = {};
async function at(q) { if (tried[q]) return tried[q]; const t = Date.now(); const b = new Uint8Array(await encode(img, opts(q))); ms += Date.now() - t; n++; tried[q] = b; return b; }
// start near a guess, then bisect
let q = Math.max(1, Math.min(100, +(process.env.QSTART || 40)));
// bracket from the start by steps of 4, then bisect inside the bracket
let b = await at(q);
if (b.length <= target) { best = { q, b }; lo = q; hi = 101;
  while (q < 100) { const n2 = Math.min(100, q + 4); const c = await at(n2); if (c.length <= target) { best = { q: n2, b: c }; lo = n2; q = n2; } else { hi = n2; break; } }
} else { hi = q; lo = 0;
  while (q > 1) { const n2 = Math.max(1, q - 4); const c = await at(n2); if (c.length <= target) { best = { q: n2, b: c }; lo = n2; break; } else { hi = n2; q = n2; } }
}
while (hi - lo > 1 && lo >= 1) { const m = Math.floor((lo + hi) / 2); const c = await at(m); if (c.length <= target) { best = { q: m, b: c }; lo = m; } else hi = m; }
if (best) fs.writeFileSync(out, best.b);
let over = null;
if (best && best.q < 100) { over = { q: best.q + 1, b: await at(best.q + 1) }; fs.writeFileSync(out.replace(/\.jpg$/, '.over.jpg'), over.b); }
console.log(JSON.stringify({ in: path.basename(inp), w, h, table, mode, trellis, quality: best ? best.q : 0, bytes: best ? best.b.length : 0, encodes: n, over_bytes: over ? over.b.length : 0, ms_per_encode: Math.round(ms / n) }));
