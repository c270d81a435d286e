# Sourced by `tools/ekey-dev run`: make sure a demo ekey-registry is running on 127.0.0.1 over HTTPS
# and point the app at it. Idempotent: a running demo service is reused.
#
# State (database, uploads, demo CA, log) lives in
#   ${XDG_DATA_HOME:-$HOME/.local/share}/ekey-assistant/demo-registry/
# and survives between runs. TLS is verified against a locally generated demo CA; it is never
# switched off.

ekey_demo_registry() {
  local state=${XDG_DATA_HOME:-$HOME/.local/share}/ekey-assistant/demo-registry
  local bin=${stage:-$PWD/_build/stage}/bin/ekey-registry
  local ca=$state/ca.pem ca_key=$state/ca.key cert=$state/server.pem key=$state/server.key
  local url="" pid=""
  # The demo key to renew, and the CA that issued it: the service renews with that CA
  local renew=${XDG_DATA_HOME:-$HOME/.local/share}/ekey-assistant/demo-token
  local issuing=()
  [ -e "$renew/.renewal" ] && issuing=(--issuing-ca "$renew/ca.pem" --issuing-key "$renew/ca.key")

  mkdir -p "$state" && chmod 700 "$state"
  [ -x "$bin" ] || bin=$PWD/_build/app/server/ekey-registry

  if [ ! -s "$cert" ] || [ ! -s "$ca" ]; then
    printf 'cn = "EKey Assistant demo CA"\nca\ncert_signing_key\nexpiration_days = 3650\n' > "$state/ca.tmpl"
    printf 'cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 825\n' > "$state/server.tmpl"
    certtool --generate-privkey --key-type ecdsa --outfile "$ca_key" 2>/dev/null
    certtool --generate-self-signed --load-privkey "$ca_key" --template "$state/ca.tmpl" --outfile "$ca" 2>/dev/null
    certtool --generate-privkey --key-type ecdsa --outfile "$key" 2>/dev/null
    certtool --generate-certificate --load-privkey "$key" --load-ca-certificate "$ca" --load-ca-privkey "$ca_key" \
      --template "$state/server.tmpl" --outfile "$cert" 2>/dev/null
    chmod 600 "$ca_key" "$key"
  fi

  if [ -s "$state/pid" ] && [ -s "$state/url" ]; then
    pid=$(cat "$state/pid")
    url=$(cat "$state/url")
    if ! kill -0 "$pid" 2>/dev/null || ! curl -sf --noproxy '*' --cacert "$ca" -o /dev/null "$url/catalogue"; then
      url=""
    elif [ ${#issuing[@]} -gt 0 ] && [ ! -e "$state/issuing" ]; then
      # started before the demo had a key to renew: start it again with the issuing CA
      kill "$pid" 2>/dev/null
      url=""
    fi
  fi

  if [ -z "$url" ]; then
    : > "$state/stdout"
    setsid "$bin" serve --listen 127.0.0.1:0 --db "$state/registry.sqlite" --data-dir "$state/data" \
      --tls-cert "$cert" --tls-key "$key" --ca "$ca" "${issuing[@]}" > "$state/stdout" 2>> "$state/registry.log" < /dev/null &
    pid=$!
    for _ in $(seq 100); do
      url=$(head -n1 "$state/stdout" 2>/dev/null || true)
      [ -n "$url" ] && break
      sleep 0.05
    done
    if [ -z "$url" ]; then
      echo "ekey-dev: the demo registry did not start; see $state/registry.log" >&2
      return 0
    fi
    echo "$pid" > "$state/pid"
    echo "$url" > "$state/url"
    if [ ${#issuing[@]} -gt 0 ]; then
      touch "$state/issuing"
      # the service's record of the demo key it issued; it knows the enterprise's 18-digit code
      "$bin" certificates --db "$state/registry.sqlite" add "$renew/user.pem" --uscc 91350100M000100Y43 \
        --name 北京测试科技有限公司 >/dev/null 2>> "$state/registry.log"
    fi
  fi

  export EKEY_REGISTRY_URL=$url
  export EKEY_REGISTRY_CA=$ca
  echo "Demo registration service: $url (log: $state/registry.log)" >&2
  echo "  reviewer:  $bin review --db $state/registry.sqlite list" >&2
}

ekey_demo_registry
