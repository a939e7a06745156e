#!/usr/bin/env bash
# The API contract as a client developer meets it: serve the app in production
# mode, generate a Python client from its live /api/schema/ with
# openapi-python-client, type-check contract/flow.py against that client with
# mypy --strict, and run the flow against the server.
#
#   bash scripts/contract.sh        # or: make contract
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT="${CONTRACT_PORT:-8770}"
work=$(mktemp -d)
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_THROTTLING=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_LOG_LEVEL=ERROR
export DJANGO_SECRET_KEY="contract-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export TICKET_SIGNING_KEY="$(.venv/bin/python -c 'from tickets.keys import new_key; print(new_key().setting)')"
export DATABASE_URL="sqlite:///$work/contract.sqlite3"
STAFF_PASSWORD=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(16))')
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py shell -v0 -c "
from accounts.models import User
User.objects.create_user(username='contract-staff', password='$STAFF_PASSWORD', is_staff=True)"
GUNICORN_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 GUNICORN_ERROR_LOG="$work/gunicorn.log" GUNICORN_ACCESS_LOG="" \
  .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid "$work/pid" --daemon
. scripts/lib.sh
trap 'stop_and_clean "$work"' EXIT
.venv/bin/python scripts/servers.py "http://127.0.0.1:$PORT/healthz" --name "gunicorn (contract)" --log "$work/gunicorn.log"

echo "== generate a client from the live schema: $(.venv/bin/openapi-python-client --version)"
(cd "$work" && PATH="$ROOT/.venv/bin:$PATH" "$ROOT/.venv/bin/openapi-python-client" generate \
  --url "http://127.0.0.1:$PORT/api/schema/" --meta none --output-path "$work/booking_client" >"$work/generate.log" 2>&1) \
  || { cat "$work/generate.log"; exit 1; }
if grep -qi "warning" "$work/generate.log"; then cat "$work/generate.log"; echo "FAIL: the generator warned"; exit 1; fi

echo "== mypy --strict on contract/flow.py with the generated client"
# Strict on the flow; the generated package is read for its types, not judged.
MYPYPATH="$work" .venv/bin/mypy --strict --follow-imports=silent --config-file "$ROOT/contract/mypy.ini" \
  --cache-dir "$work/.mypy_cache" contract/flow.py

echo "== the flow against the server"
PYTHONPATH="$work" .venv/bin/python contract/flow.py "http://127.0.0.1:$PORT" contract-staff "$STAFF_PASSWORD"
