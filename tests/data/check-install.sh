#!/bin/sh
# check-install.sh BUILDDIR APPID: `meson install` puts every file a desktop needs where it looks.
set -eu
build=$1
app_id=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$dest$prefix
status=0
n=0
for f in \
  bin/ekey-assistant bin/ekey-tool bin/ekey-registry \
  libexec/ekey-scan-helper \
  share/applications/$app_id.desktop \
  share/metainfo/$app_id.metainfo.xml \
  share/glib-2.0/schemas/org.ekeyassistant.EKeyAssistant.gschema.xml \
  share/icons/hicolor/scalable/apps/$app_id.svg \
  share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg \
  share/locale/zh_CN/LC_MESSAGES/ekey-assistant.mo \
  share/ekey-assistant/catalogue.json
do
  n=$((n + 1))
  if [ -s "$root/$f" ]; then echo "ok $n $f"; else echo "not ok $n $f is not installed"; status=1; fi
done
# ekey-tool is one program: the installed copy runs on its own, from where it was installed
n=$((n + 1))
if "$root/bin/ekey-tool" --version | grep -q '^EKey Assistant '; then
  echo "ok $n the installed ekey-tool runs"
else
  echo "not ok $n the installed ekey-tool does not run"; status=1
fi
# The installed desktop file names the installed icon and program
n=$((n + 1))
if grep -qx "Icon=$app_id" "$root/share/applications/$app_id.desktop" &&
   grep -qx "Exec=ekey-assistant" "$root/share/applications/$app_id.desktop"; then
  echo "ok $n desktop file points at the icon and the program"
else
  echo "not ok $n desktop file does not point at the icon and the program"; status=1
fi
n=$((n + 1))
if grep -q '^Name\[zh_CN\]=电子钥匙申领助手$' "$root/share/applications/$app_id.desktop"; then
  echo "ok $n desktop file is translated"
else
  echo "not ok $n desktop file has no Chinese name"; status=1
fi
echo "1..$n"
exit $status
