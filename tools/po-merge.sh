#!/bin/sh
# po-merge.sh: resolve a merge conflict in po/zh_CN.po by taking the translations of both sides,
# then refresh it against the sources (run from the top of the tree, during the merge).
set -eu
lang=${1:-zh_CN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git show ":2:po/$lang.po" > "$tmp/ours.po"
git show ":3:po/$lang.po" > "$tmp/theirs.po"
msgcat --use-first "$tmp/ours.po" "$tmp/theirs.po" -o "$tmp/both.po"
cp "$tmp/both.po" "po/$lang.po"
echo "po-merge: combined; now run ninja -C _build ekey-assistant-update-po and tests/po/check-po.sh . $lang" >&2
