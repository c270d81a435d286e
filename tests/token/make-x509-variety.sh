#!/usr/bin/env bash
# make-x509-variety.sh DIR: certificates of every shape the certificate reader must read, made
# with openssl and certtool (DIR/*.der): key types (RSA, RSA-PSS, DSA, EC on every curve gnutls
# knows and one it does not, Ed25519, Ed448, SM2), string types (UTF8String, BMPString,
# TeletexString, UniversalString, IA5String, PrintableString, NumericString), multi-valued RDNs,
# unknown attribute types, characters RFC 4514 escapes, GeneralizedTime, key usage bits.
# tests/token/certificates/variety-*.der were made by it, each kept with the JSON `ekey-tool cert
# show` gave for it (test-certificate-golden.c).
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
k=$dir/keys
mkdir -p "$k"

cat > "$dir/ext.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = x
[ku_all]
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly
[ku_sign]
keyUsage = keyCertSign, cRLSign
[none]
subjectKeyIdentifier = hash
CNF

# name keyopts… -- subject [req options]
make() {
  local name=$1 subj=$2; shift 2
  openssl req -x509 -new -key "$k/$name.pem" -config "$dir/ext.cnf" -subj "$subj" \
    -set_serial "0x$(openssl rand -hex 9)" -days 400 -out "$dir/$name.pem" "$@" 2>/dev/null
  openssl x509 -in "$dir/$name.pem" -outform DER -out "$dir/$name.der"
}
key() { local name=$1; shift; openssl genpkey "$@" -out "$k/$name.pem" 2>/dev/null; }

key rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
make rsa1024 "/C=CN/O=A+B, \"C\" <D>;E\\\\F/CN= lead and trail /OU=#hash" -extensions ku_all -sha512
make rsa1024-multi "/C=CN/O=甲+OU=乙+CN=丙/CN=last" -extensions none -sha1 -multivalue-rdn -key "$k/rsa1024.pem"
make rsa1024-bmp "/C=CN/O=Ωmega 企业/CN=ひらがな" -extensions ku_sign -sha384 -key "$k/rsa1024.pem" \
  -reqopt '' -utf8 -config <(sed 's/^prompt = no/prompt = no\nstring_mask = pkix\nutf8 = yes/' "$dir/ext.cnf")
make rsa1024-mixed "/C=CN/emailAddress=clerk@example.cn/DC=example/DC=cn/UID=u1/serialNumber=12345/title=Dr/street=1 Rd/postalCode=350000/description=d/1.2.3.4.5=unknown/2.5.4.97=VATCN-913501/jurisdictionC=CN/businessCategory=Private Organization" \
  -extensions ku_sign -sha224 -key "$k/rsa1024.pem"
key pss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:1024
make pss "/CN=pss" -sha256
make pss-sign "/CN=pss signed" -sha384 -key "$k/rsa1024.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
key dsa -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 2>/dev/null || \
  { openssl dsaparam -out "$k/dsa.param" 1024 2>/dev/null; openssl gendsa -out "$k/dsa.pem" "$k/dsa.param" 2>/dev/null; }
make dsa "/CN=dsa" -sha256
for curve in P-256 P-384 P-521 secp224r1 prime192v1 secp256k1 brainpoolP256r1; do
  key "ec-$curve" -algorithm EC -pkeyopt "ec_paramgen_curve:$curve"
  make "ec-$curve" "/C=CN/O=91350100M000100Y43/CN=ec $curve" -sha256 -extensions ku_sign
done
key ed25519 -algorithm ED25519
make ed25519 "/CN=ed25519/O=IELIC"
key ed448 -algorithm ED448
make ed448 "/CN=ed448"
key sm2 -algorithm SM2
make sm2 "/C=CN/O=91110000600037341L/CN=sm2" -sm3

# certtool: GeneralizedTime (after 2049), a long serial, dates before 1970 are refused by it
certtool --generate-privkey --key-type ecdsa --outfile "$k/ct.pem" >/dev/null 2>&1
cat > "$dir/ct.tmpl" <<'T'
dn = "CN=Generalized,O=Time Co.,C=CN"
serial = 0x00112233445566778899aabbccddeeff0011
activation_date = "2049-12-31 23:59:59"
expiration_date = "2100-02-28 12:00:00"
signing_key
encryption_key
cert_signing_key
T
certtool --generate-self-signed --load-privkey "$k/ct.pem" --template "$dir/ct.tmpl" \
  --outder --outfile "$dir/generalized.der" >/dev/null 2>&1

# Strings openssl will not write from a subject line (TeletexString in ASCII and Latin-1,
# UniversalString, NumericString, a mistyped C= and EMAIL, NUL and odd-length BMPString, an
# unknown attribute type), in a name made here and spliced into a certificate as its subject and
# issuer: the signature is then wrong, which no reader here checks
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
der = open(d + "/rsa1024.der", "rb").read()

def tlv(b, i):
    l = b[i + 1]; h = 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i + 2:i + 2 + n], "big"); h += n
    return h, l

def enc(tag, body):
    n = len(body)
    if n < 0x80: return bytes([tag, n]) + body
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(b)]) + b + body

def oid(dotted):
    arcs = [int(x) for x in dotted.split(".")]
    out = bytearray()
    for v in [arcs[0] * 40 + arcs[1]] + arcs[2:]:
        chunk = [v & 0x7f]; v >>= 7
        while v: chunk.insert(0, 0x80 | (v & 0x7f)); v >>= 7
        out += bytes(chunk)
    return enc(0x06, bytes(out))

def ava(o, tag, value):
    return enc(0x30, oid(o) + enc(tag, value))

def rdn(*avas):
    return enc(0x31, b"".join(avas))

name = enc(0x30, b"".join([
    rdn(ava("2.5.4.6", 0x16, b"CN")),
    rdn(ava("2.5.4.10", 0x14, b"Teletex Co")),
    rdn(ava("2.5.4.10", 0x14, b"Ca\xf9\xe9 Lyon")),
    rdn(ava("2.5.4.11", 0x1c, "AB中".encode("utf-32-be"))),
    rdn(ava("2.5.4.3", 0x1e, "bmp 中".encode("utf-16-be") + b"\0\0")),
    rdn(ava("2.5.4.3", 0x1e, b"\0a\0")),
    rdn(ava("1.2.643.100.1", 0x12, b"1027700132195"), ava("1.2.840.113549.1.9.1", 0x0c, b"mail@example.cn")),
    rdn(ava("2.5.4.10", 0x0c, b"with\0nul")),
    rdn(ava("1.3.6.1.4.1.99999.1", 0x0c, b"unknown")),
    rdn(ava("2.5.4.3", 0x30, enc(0x02, b"\x01"))),
]))
h, l = tlv(der, 0); tbs_at = h
th, tl = tlv(der, tbs_at)
fields = []; i = tbs_at + th
while i < tbs_at + th + tl:
    fh, fl = tlv(der, i); fields.append(der[i:i + fh + fl]); i += fh + fl
rest = der[tbs_at + th + tl:]
off = 1 if fields[0][0] == 0xa0 else 0
fields[off + 2] = name; fields[off + 4] = name
open(d + "/strings.der", "wb").write(enc(0x30, enc(0x30, b"".join(fields)) + rest))
PY
