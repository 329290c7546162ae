#!/usr/bin/env bash
# Restore a backup made by deploy/pg-backup.sh into an EMPTY database, in one transaction (all or
# nothing), then bring the schema to the newest migration. Usage: deploy/pg-restore.sh DUMP LIBPQ_URL
#   createdb hittavard_restored && deploy/pg-restore.sh /var/backups/hittavard/2026-11-30.dump postgresql://admin@db.internal/hittavard_restored
# Point FORMS_DATABASE_URL at the restored database and restart the nodes. docs/operators.md, "Backups".
set -euo pipefail
dump=${1:?usage: pg-restore.sh DUMP LIBPQ_URL}
url=${2:?usage: pg-restore.sh DUMP LIBPQ_URL}
pg_restore --single-transaction --exit-on-error --no-owner --no-privileges --dbname="$url" "$dump"
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
"$python" -m forms.store --url "${url/postgresql:\/\//postgresql+psycopg://}" upgrade
