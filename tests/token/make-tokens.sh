#!/usr/bin/env bash
# make-tokens.sh DIR [demo|bench]: SoftHSM2 tokens with certificates of every kind the key view
# must judge, in a private SOFTHSM2_CONF (DIR/softhsm2.conf). Real tools only: openssl and
# certtool make the certificates, softhsm2-util and pkcs11-tool put them on the tokens.
#
#   EK-TOKEN-A (user PIN 123456):
#     id 01  RSA-2048 key + certificate, O=91350100M000100Y43 (valid 18-digit code), UTF8String Chinese
#     id 02  EC P-256 key + certificate, O=IELIC, O=123123123123123-云 (no code: 15-digit number), BMPString
#   EK-TOKEN-B (user PIN 654321):
#     id 03  EC P-256 key + certificate, O=91350100M000100Y4Z (wrong check character), expired
#     id 04  SM2/SM3 certificate object (SoftHSM cannot hold SM2 keys)
#     id 05  EC P-256 key + certificate, O=40000056-0 (9-character organisation code), 30 days
#   DIR/certs/*.pem and *.der: the same certificates as files
# "bench" makes one token EK-BENCH with three certificates instead.
set -euo pipefail
dir=$1
mode=${2:-test}
MOD=${EK_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
mkdir -p "$dir/tokens" "$dir/certs" "$dir/keys"
dir=$(cd "$dir" && pwd)
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n' "$dir" \
  > "$dir/softhsm2.conf"
export SOFTHSM2_CONF=$dir/softhsm2.conf
C=$dir/certs K=$dir/keys

# openssl with a config that writes non-ASCII as BMPString (string_mask = pkix)
cat > "$dir/bmp.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = pkix
utf8 = yes
prompt = no
[dn]
CN = x
[ext]
keyUsage = critical, digitalSignature, nonRepudiation
CNF
cat > "$dir/utf8.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[dn]
CN = x
[ext]
keyUsage = critical, digitalSignature, keyEncipherment
CNF

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/$1.pem" 2>/dev/null; }
to_der() {
  openssl x509 -in "$C/$1.pem" -outform DER -out "$C/$1.der"
  openssl pkcs8 -topk8 -nocrypt -in "$K/$1.pem" -outform DER -out "$K/$1.der" 2>/dev/null || true
}
put() { # token pin id label name
  pkcs11-tool --module "$MOD" --token-label "$1" --login --pin "$2" --write-object "$K/$5.der" --type privkey \
    --id "$3" --label "$4" >/dev/null 2>&1
  pkcs11-tool --module "$MOD" --token-label "$1" --login --pin "$2" --write-object "$C/$5.der" --type cert \
    --id "$3" --label "$4" >/dev/null 2>&1
}
put_cert() {
  pkcs11-tool --module "$MOD" --token-label "$1" --login --pin "$2" --write-object "$C/$5.der" --type cert \
    --id "$3" --label "$4" >/dev/null 2>&1
}
req() { # name config days subject [keyopts]
  openssl req -x509 -new -key "$K/$1.pem" -config "$dir/$2.cnf" -extensions ext -days "$3" -utf8 \
    -subj "$4" -sha256 -set_serial "0x$(openssl rand -hex 8)" -out "$C/$1.pem" 2>/dev/null
}

if [ "$mode" = bench ]; then
  softhsm2-util --init-token --free --label EK-BENCH --so-pin 87654321 --pin 123456 >/dev/null
  for i in 1 2 3; do
    ec_key bench$i
    req bench$i utf8 365 "/C=CN/ST=福建/L=福州/O=91350100M000100Y43/O=福州测试贸易有限公司/CN=999940000056$i-USER$i"
    to_der bench$i
    put EK-BENCH 123456 0$i "BENCH$i" bench$i
  done
  exit 0
fi

softhsm2-util --init-token --free --label EK-TOKEN-A --so-pin 87654321 --pin 123456 >/dev/null
softhsm2-util --init-token --free --label EK-TOKEN-B --so-pin 87654321 --pin 654321 >/dev/null

# 01: valid code, RSA, UTF8String Chinese
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/valid.pem" 2>/dev/null
req valid utf8 365 "/C=CN/ST=福建/L=福州/O=91350100M000100Y43/O=福州测试贸易有限公司/CN=9999400000560-LUOYUN"
to_der valid
put EK-TOKEN-A 123456 01 "LUOYUN" valid

# 02: the seed's kind, no 18-digit code (15-digit registration number), BMPString values
ec_key absent
req absent bmp 200 "/C=CN/ST=北京/L=东城/O=IELIC/O=123123123123123-云/CN=9999400000560-罗云"
to_der absent
put EK-TOKEN-A 123456 02 "罗云" absent

# 03: wrong check character, expired (certtool can set dates in the past)
ec_key badcheck
cat > "$dir/badcheck.tmpl" <<'T'
dn = "CN=9999400000560-许可证测试用户,O=测试部,O=91350100M000100Y4Z,C=CN"
serial = 0x0a0b0c
activation_date = "2023-01-01 00:00:00"
expiration_date = "2024-01-01 00:00:00"
signing_key
T
certtool --generate-self-signed --load-privkey "$K/badcheck.pem" --template "$dir/badcheck.tmpl" \
  --outfile "$C/badcheck.pem" >/dev/null 2>&1
to_der badcheck
put EK-TOKEN-B 654321 03 "TEST-USER" badcheck

# 04: SM2 key, SM3-with-SM2 signature: the certificate object only
openssl genpkey -algorithm SM2 -out "$K/sm2.pem" 2>/dev/null
openssl req -new -x509 -key "$K/sm2.pem" -sm3 -days 365 -utf8 -config "$dir/utf8.cnf" \
  -subj "/C=CN/ST=北京/L=东城区/O=91110000600037341L/O=北京测试科技有限公司/CN=9999400000560-罗云" \
  -out "$C/sm2.pem" 2>/dev/null
openssl x509 -in "$C/sm2.pem" -outform DER -out "$C/sm2.der"
put_cert EK-TOKEN-B 654321 04 "SM2-罗云" sm2

# 05: the 9-character organisation code in place of the 18-digit one, 30 days left (amber)
ec_key orgcode
req orgcode utf8 30 "/C=CN/O=40000056-0/O=老企业有限公司/CN=9999400000560-OLD"
to_der orgcode
put EK-TOKEN-B 654321 05 "OLD" orgcode
