# 10-demo-key.sh: a demo e-key for `tools/ekey-dev run` when no real key is inserted.
# Sourced by ekey-dev after installing into the stage (so: no exit, no set -e surprises).
# Provisions, once, a SoftHSM2 token pair holding certificates of every kind the key view
# judges (valid 18-digit code, wrong check character, none, expired, expiring, SM2) in
# ${XDG_DATA_HOME:-$HOME/.local/share}/ekey-assistant/demo-token/ and exports what the app
# needs to see them. A real key (any token not made by SoftHSM) turns the demo off.
ek_demo_key() {
  local tool="$stage/bin/ekey-tool" module=/usr/lib/softhsm/libsofthsm2.so
  local demo="${XDG_DATA_HOME:-$HOME/.local/share}/ekey-assistant/demo-token"
  local real

  [ -x "$tool" ] && [ -e "$module" ] || return 0
  real=$("$tool" token list --json 2>/dev/null | python3 -c '
import json, sys
try:
    tokens = json.load(sys.stdin)["tokens"]
except Exception:
    tokens = []
print(sum(1 for t in tokens if t["manufacturer"] != "SoftHSM project"))' 2>/dev/null || echo 0)
  if [ "${real:-0}" != 0 ]; then
    echo "ekey-dev: a real key is inserted; no demo key" >&2
    return 0
  fi
  if [ ! -e "$demo/.complete" ]; then
    rm -rf "$demo"
    mkdir -p "$demo"
    if ! bash "$top/tests/token/make-tokens.sh" "$demo" >/dev/null 2>&1; then
      echo "ekey-dev: could not make the demo key in $demo" >&2
      return 0
    fi
    rm -rf "$demo/keys"   # the private keys live on the tokens; no loose copies
    touch "$demo/.complete"
  fi
  # A key due for renewal (EK-RENEW, PIN 123456), issued by the CA the demo service renews with
  if [ ! -e "$demo/.renewal" ]; then
    if bash "$top/tests/api/make-renewal-token.sh" "$demo" >/dev/null 2>&1; then
      chmod 600 "$demo/ca.key"
      touch "$demo/.renewal"
    else
      echo "ekey-dev: could not make the demo key to renew in $demo" >&2
    fi
  fi
  export SOFTHSM2_CONF="$demo/softhsm2.conf"
  case ":${EKEY_PKCS11_MODULES:-}:" in
    *":$module:"*) ;;
    *) export EKEY_PKCS11_MODULES="$module${EKEY_PKCS11_MODULES:+:$EKEY_PKCS11_MODULES}" ;;
  esac
  echo "ekey-dev: demo key in $demo (PINs 123456 and 654321)" >&2
}
ek_demo_key
