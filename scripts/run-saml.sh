#!/usr/bin/env bash
# The SAML demo: like run.sh, but the test login is off and "Logga in" (citizens and staff) goes
# through a local SAML IdP (python -m forms.identity.saml.devidp) on its own port, with keys made
# in instance/saml/ on first start. Never for production: the local IdP logs anyone in.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if ! command -v xmlsec1 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null
  else
    echo "xmlsec1 is needed for the SAML logins: install Debian's xmlsec1." >&2; exit 1
  fi
fi
.venv/bin/sitegen build --content content --out build
HOST=127.0.0.1
PORT=${PORT:-8000}
IDP_PORT=${IDP_PORT:-8900}
keys=instance/saml
mkdir -p "$keys"
.venv/bin/python -m forms.identity.saml.devidp.keys "$keys/sp.key" "$keys/sp.crt" hittavard-sp
forms_url=/e-tjanster/
.venv/bin/python -m forms.identity.saml.devidp --port "$IDP_PORT" --keys "$keys/idp" \
  --write-metadata "$keys/idp.xml" \
  --sp-metadata "http://$HOST:$PORT${forms_url}saml/metadata/" \
  --sp-metadata "http://$HOST:$PORT${forms_url}personal/saml/metadata/" &
idp_pid=$!
trap 'kill "$idp_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -f "$keys/idp.xml" ] && break; sleep 0.2; done
export FORMS_PUBLIC_URL="http://$HOST:$PORT"
export FORMS_SAML_IDP_METADATA="$keys/idp.xml" FORMS_STAFF_SAML_IDP_METADATA="$keys/idp.xml"
export FORMS_SAML_SP_KEY="$keys/sp.key" FORMS_SAML_SP_CERT="$keys/sp.crt"
export FORMS_SECRET_KEY="${FORMS_SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}"
export FORMS_TEST_LOGIN=0  # forms.serve has the test login on unless told otherwise
echo "SAML-demon: öppna http://$HOST:$PORT${forms_url}inkorg/ (medborgare) eller http://$HOST:$PORT${forms_url}personal/ (personal)."
echo "Den lokala test-IdP:n svarar på http://$HOST:$IDP_PORT/."
.venv/bin/python -m forms.serve --site build --host "$HOST" --port "$PORT"
