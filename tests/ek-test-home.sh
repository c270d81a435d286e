#!/bin/sh
# Every test program runs through this wrapper (the default test setup in tests/meson.build):
# a fresh HOME and XDG folders of its own, removed afterwards, so that no test reads or writes
# the user's own files, whatever the test itself remembers to do.
set -u
home=$(mktemp -d "${TMPDIR:-/tmp}/ek-test-home.XXXXXX") || exit 99
mkdir -p "$home/.config" "$home/.local/share" "$home/.cache" "$home/.local/state"
HOME=$home
XDG_CONFIG_HOME=$home/.config
XDG_DATA_HOME=$home/.local/share
XDG_CACHE_HOME=$home/.cache
XDG_STATE_HOME=$home/.local/state
export HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
"$@"
status=$?
rm -rf "$home"
exit $status
