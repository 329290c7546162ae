#!/usr/bin/env bash
# One command for a newcomer: install, build the demo site and serve it with the forms app on one
# local URL (printed below). The demo uses the test login; see docs/operators.md for production.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# xmlsec1 is pysaml2's signature and encryption tool (the SAML logins; the demo's test login needs it too
# because the app can be configured for SAML by FORMS_SAML_* in the environment).
if ! command -v xmlsec1 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null
  else
    echo "xmlsec1 is needed for the SAML logins: install Debian's xmlsec1." >&2
  fi
fi
.venv/bin/sitegen build --content content --out build
export FORMS_TEST_LOGIN=1
export FORMS_DEMO_CASES="${FORMS_DEMO_CASES:-1}"  # made-up cases of every status for the staff side
exec .venv/bin/python -m forms.serve --site build --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
