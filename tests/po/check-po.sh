#!/bin/sh
# check-po.sh SRCDIR LANG: the translation covers every string the sources have today.
# Rebuilds the template from POTFILES.in the way meson's i18n does, merges the .po into it
# and fails on any untranslated or fuzzy message, and on a source file with strings that
# POTFILES.in does not list.
set -eu
src=$1
lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

grep -v '^#' po/POTFILES.in | grep -v '^$' > "$tmp/potfiles"

# Files that use gettext but are missing from POTFILES.in
missing=0
for f in $(grep -rlE '(^|[^A-Za-z_])(_|N_|C_|NC_)\(|translatable="yes"' app ui 2>/dev/null | sort); do
  if ! grep -qx "$f" "$tmp/potfiles"; then
    echo "not ok: $f has translatable strings but is not in po/POTFILES.in"
    missing=1
  fi
done

xgettext --package-name=ekey-assistant --from-code=UTF-8 --add-comments=Translators \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 --flag=N_:1:pass-c-format \
  --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
  --flag=g_log:3:c-format --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
  --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
  --flag=g_snprintf:3:c-format \
  -f "$tmp/potfiles" -o "$tmp/template.pot"

msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/template.pot" -o "$tmp/merged.po"
stats=$(msgfmt --check --statistics -o /dev/null "$tmp/merged.po" 2>&1)
echo "# $lang: $stats"
case "$stats" in
  *untranslated*|*fuzzy*)
    echo "not ok: po/$lang.po does not translate every string of the sources:"
    msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -E '^msgid ' | grep -v '^msgid ""$' | head -40
    msgattrib --only-fuzzy --no-obsolete "$tmp/merged.po" | grep -E '^msgid ' | grep -v '^msgid ""$' | head -40
    exit 1;;
esac
# Obsolete entries are harmless for gettext but mean the file was not refreshed
if grep -q '^#~ ' "po/$lang.po"; then
  echo "not ok: po/$lang.po keeps obsolete (#~) entries; refresh it with msgmerge and drop them"
  exit 1
fi
[ $missing -eq 0 ] || exit 1
echo "ok: po/$lang.po is complete"
