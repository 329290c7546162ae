#!/usr/bin/env bash
# The benchmarks from a fresh clone, in one command: sets up .venv (scripts/setup.sh), then
#   bench/run.sh [--sizes 1000,10000] [--runs 3]    sitegen against Hugo (python -m bench)
#   bench/run.sh forms [--duration 8] [--rounds 5]  the forms app under load (python -m bench.forms_load)
#   bench/run.sh forms-start [--clinics 10000]      an app worker's start and content memory (python -m bench.forms_start)
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ "${1:-}" = "forms-start" ]; then
  shift
  exec .venv/bin/python -m bench.forms_start "$@"
fi
if [ "${1:-}" = "forms" ]; then
  shift
  exec .venv/bin/python -m bench.forms_load "$@"
fi
exec .venv/bin/python -m bench "$@"
