#!/usr/bin/python3
"""pillow-fit.py IN OUT MAX_BYTES: the Pillow recipe for a byte limit, as the benchmark's
fourth tool: the image upright, then the highest JPEG quality (1-95, optimised Huffman
tables) whose file fits, found by bisection. Nothing is resized: a page that does not fit at
quality 1 is written at quality 1 and the benchmark counts it as over the limit.
Needs Debian's python3-pil (tools/deps/materials.txt)."""
import io
import sys

from PIL import Image, ImageOps


def encode(image, quality):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def main():
    source, target, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    image = ImageOps.exif_transpose(Image.open(source))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    low, high, best = 1, 95, None
    while low <= high:
        quality = (low + high) // 2
        data = encode(image, quality)
        if len(data) <= limit:
            best, low = data, quality + 1
        else:
            high = quality - 1
    with open(target, "wb") as out:
        out.write(best if best is not None else encode(image, 1))


if __name__ == "__main__":
    main()
