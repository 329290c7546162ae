#!/usr/bin/env bash
# A consistent backup of the case store: pg_dump's custom format (compressed, restorable table by
# table), written under a temporary name and renamed when complete, so a half-written file is
# never mistaken for a backup. Usage: deploy/pg-backup.sh LIBPQ_URL OUT_FILE
#   deploy/pg-backup.sh postgresql://backup@db.internal/hittavard /var/backups/hittavard/$(date +%F).dump
# Run it daily (cron or a systemd timer) with a database user that may read every table; keep the
# files encrypted and off the database machine: they hold health data. docs/operators.md, "Backups".
set -euo pipefail
url=${1:?usage: pg-backup.sh LIBPQ_URL OUT_FILE}
out=${2:?usage: pg-backup.sh LIBPQ_URL OUT_FILE}
pg_dump --format=custom --no-owner --no-privileges --file="$out.partial" "$url"
pg_restore --list "$out.partial" >/dev/null  # the archive reads back: its table of contents is whole
mv "$out.partial" "$out"
echo "backup: $out ($(du -h "$out" | cut -f1))"
