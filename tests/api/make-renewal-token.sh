#!/usr/bin/env bash
# make-renewal-token.sh DIR: a key due for renewal, as the tests and the bench need it.
#   DIR/ca.pem, ca.key      the registration service's issuing CA (certtool)
#   EK-RENEW (PIN 123456)   id 01: RSA-2048 key pair generated on the token, and its certificate
#                           CN=9999400000560-LUOYUN, O=IELIC (no 18-digit code), issued by that CA,
#                           expiring in 20 days (DIR/user.pem)
# Real tools only: softhsm2-util, pkcs11-tool, certtool. An existing DIR/softhsm2.conf is kept
# (the demo adds this key next to its others).
set -euo pipefail
dir=$1
MOD=${EK_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
[ -s "$dir/softhsm2.conf" ] ||
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n' "$dir" > "$dir/softhsm2.conf"
export SOFTHSM2_CONF=$dir/softhsm2.conf
softhsm2-util --init-token --free --label EK-RENEW --so-pin 87654321 --pin 123456 >/dev/null
certtool --generate-privkey --key-type ecdsa --outfile "$dir/ca.key" 2>/dev/null
printf 'cn = "EKey Test Issuing CA"\norganization = "EKey Assistant tests"\ncountry = CN\nca\ncert_signing_key\nexpiration_days = 3650\n' > "$dir/ca.tmpl"
certtool --generate-self-signed --load-privkey "$dir/ca.key" --template "$dir/ca.tmpl" --outfile "$dir/ca.pem" 2>/dev/null
pkcs11-tool --module "$MOD" --token-label EK-RENEW --login --pin 123456 --keypairgen --key-type rsa:2048 --id 01 --label LUOYUN >/dev/null 2>&1
printf 'dn = "CN=9999400000560-LUOYUN,O=IELIC,L=dongcheng,ST=beijing,C=CN"\nserial = 0x2a3b4c5d\nexpiration_days = 20\nsigning_key\ntls_www_client\n' > "$dir/user.tmpl"
certtool --generate-certificate --provider "$MOD" --load-pubkey "pkcs11:token=EK-RENEW;id=%01;type=public" \
  --load-ca-certificate "$dir/ca.pem" --load-ca-privkey "$dir/ca.key" --template "$dir/user.tmpl" --outfile "$dir/user.pem" 2>/dev/null
certtool --certificate-info --infile "$dir/user.pem" --outder --outfile "$dir/user.der" 2>/dev/null
pkcs11-tool --module "$MOD" --token-label EK-RENEW --login --pin 123456 --write-object "$dir/user.der" --type cert --id 01 --label LUOYUN >/dev/null 2>&1
