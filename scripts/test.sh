#!/usr/bin/env bash
# Run the whole suite against real services; "no tests ran" is a failure, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
if ! .venv/bin/python - "$pg_url" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "test: PostgreSQL not reachable at $pg_url; starting the local cluster"
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
fi

.venv/bin/ruff check . || exit 1

# Every core runs tests (TEST_WORKERS=0 runs them in this one process); a file's tests stay on one worker.
workers="${TEST_WORKERS:-auto}"
parallel=()
[[ "$workers" != "0" ]] && parallel=(-n "$workers" --dist loadfile)
.venv/bin/python -m pytest "${parallel[@]}" "$@"
status=$?
if [[ $status -eq 5 ]]; then
  echo "test: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit $status
