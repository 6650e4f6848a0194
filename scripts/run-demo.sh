#!/usr/bin/env bash
# Start the demo: the Procore sandbox emulator in the background, Gapline in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
SANDBOX_PORT="${SANDBOX_PORT:-5001}"
export PROCORE_API_BASE="${PROCORE_API_BASE:-http://127.0.0.1:$SANDBOX_PORT}"
export PROCORE_LOGIN_BASE="${PROCORE_LOGIN_BASE:-http://127.0.0.1:$SANDBOX_PORT}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"

.venv/bin/flask --app app db upgrade
if [[ -f fixtures/procore_sandbox/__main__.py ]]; then
  .venv/bin/python -m fixtures.procore_sandbox --port "$SANDBOX_PORT" --app-url "$PUBLIC_BASE_URL" &
  sandbox=$!
  trap 'kill $sandbox 2>/dev/null || true' EXIT
  echo "demo: Procore sandbox emulator on http://127.0.0.1:$SANDBOX_PORT"
fi
echo "demo: Gapline on http://127.0.0.1:$PORT"
if [[ -z "${MAIL_SERVER:-}" ]]; then
  echo "demo: no mail leaves this machine; read every email Gapline sends at http://127.0.0.1:$PORT/dev/mailbox/"
fi
.venv/bin/flask --app app run --host 127.0.0.1 --port "$PORT"
