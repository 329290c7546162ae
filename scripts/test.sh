#!/usr/bin/env bash
# One command for the whole test suite: installs what is missing (Python packages, Debian's
# Chromium, Java and the Nu Html Checker), lints, and runs pytest including the browser tests.
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

# nginx serves the built site in the deployment test (deploy/nginx.conf).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if as_root; then apt_install nginx-light; else echo "nginx is needed for the deployment test." >&2; exit 1; fi
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

.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
