#!/usr/bin/env bash
# One command for the whole test suite: installs what is missing (Python packages, Debian's
# Chromium, Java, the Nu Html Checker, saml-idp, PostgreSQL, nginx and Redis), lints, and runs pytest including
# the browser tests, the storage tests on a real PostgreSQL server and the multi-node deployment
# test (nginx, two app nodes, PostgreSQL, Redis; select it alone with `-m multinode`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

as_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Chromium: Debian's package; Playwright's own download cannot be reached on the test machines.
if [ ! -x /usr/bin/chromium ]; then
  if as_root; then apt_install chromium; else .venv/bin/playwright install chromium; fi
fi

# xmlsec1 signs, verifies and decrypts SAML messages for pysaml2 (the SAML logins and their tests).
if ! command -v xmlsec1 >/dev/null; then
  if as_root; then apt_install xmlsec1; else echo "xmlsec1 is needed for the SAML logins: install Debian's xmlsec1." >&2; exit 1; fi
fi

# nginx serves the built site in the deployment test (deploy/nginx.conf).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if as_root; then apt_install nginx-light; else echo "nginx is needed for the deployment test." >&2; exit 1; fi
fi

# strace shows that a send's database writes are fsynced before its receipt (test_synced_before_receipt).
if ! command -v strace >/dev/null; then
  if as_root; then apt_install strace; else echo "strace is needed for the fsync test." >&2; exit 1; fi
fi

# Redis shares the rate limits between the app nodes in the multi-node test (tests/deploy/test_multinode.py).
if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  if as_root; then apt_install redis-server; else echo "redis-server is needed for the multi-node test." >&2; exit 1; fi
fi

# The Nu Html Checker (npm package vnu-jar) runs on Java.
if ! command -v java >/dev/null; then
  if as_root; then apt_install default-jre-headless; else echo "Java is needed for the HTML checker." >&2; exit 1; fi
fi
if ! command -v npm >/dev/null; then
  if as_root; then apt_install npm; else echo "npm is needed to fetch the HTML checker." >&2; exit 1; fi
fi
if [ ! -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26.9.27 >/dev/null
fi
export VNU_JAR="$PWD/.tools/node_modules/vnu-jar/build/dist/vnu.jar"
# saml-idp (npm, node's SAML stack) is the IdP of the interop test (tests/forms/test_saml_interop.py);
# scripts/saml-idp pins it and points its samlp at the npm registry (it names a GitHub fork).
if [ ! -f .tools/saml-idp/node_modules/saml-idp/bin/run.js ] || ! cmp -s scripts/saml-idp/package-lock.json .tools/saml-idp/package-lock.json; then
  mkdir -p .tools/saml-idp
  cp scripts/saml-idp/package.json scripts/saml-idp/package-lock.json .tools/saml-idp/
  (cd .tools/saml-idp && npm ci --silent --no-audit --no-fund >/dev/null)
fi

# PostgreSQL, the forms app's production store: the storage tests run on a throwaway server of
# Debian's postgresql, in a temp dir on a free port of 127.0.0.1, stopped and removed at the end.
# (Without one the tests fail as root, where it could have been installed, and skip loudly otherwise.)
have_postgres() { command -v pg_ctl >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; }
if [ -z "${FORMS_TEST_POSTGRES_URL:-}" ]; then
  if ! have_postgres && as_root; then apt_install postgresql; fi
  if have_postgres; then
    pgdir=$(mktemp -d /tmp/hittavard-pg-XXXXXX)
    trap '.venv/bin/python -m tests.support.postgres stop "$pgdir"; rm -rf "$pgdir"' EXIT
    eval "$(.venv/bin/python -m tests.support.postgres start "$pgdir")"
    export FORMS_TEST_POSTGRES_URL
  else
    echo "PostgreSQL is not installed and cannot be (not root): its storage tests will be SKIPPED." >&2
  fi
fi

.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache  # the architecture's import rules (pyproject.toml, docs/architecture.md)
.venv/bin/python -m pytest "$@"
