#!/usr/bin/env bash
# Serves the app the way production does (DEBUG off, collectstatic, gunicorn,
# whitenoise) on a throwaway SQLite file and checks the docs and the API answer.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SMOKE_PORT:-8765}"
work=$(mktemp -d)
export DJANGO_DEBUG=0 DJANGO_HTTPS=0  # plain HTTP on loopback: no TLS in front
export DJANGO_SECRET_KEY="smoke-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export TICKET_SIGNING_KEY="$(.venv/bin/python -c 'from tickets.keys import new_key; print(new_key().setting)')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="sqlite:///$work/smoke.sqlite3"
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
# The production command of docs/deployment.md, with the repository's configuration file.
GUNICORN_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 GUNICORN_ERROR_LOG="$work/gunicorn.log" GUNICORN_ACCESS_LOG="" \
  .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid "$work/pid" --daemon
. scripts/lib.sh
trap 'stop_and_clean "$work"' EXIT
.venv/bin/python scripts/servers.py "http://127.0.0.1:$PORT/healthz" --name "gunicorn (smoke test)" --log "$work/gunicorn.log"

check() {  # check URL expected-status
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$1")
  if [ "$got" != "$2" ]; then echo "FAIL $1: $got, expected $2"; exit 1; fi
  echo "ok   $1 $got"
}
check /swagger/ 200
check /redoc/ 200
check /api/schema/ 200
check /movies/ 200
check /admin/login/ 200
check /no-such-page/ 404
check /healthz 200
check /readyz 200
asset=$(curl -s "http://127.0.0.1:$PORT/swagger/" | grep -o '/static/[^"]*swagger-ui-bundle[^"]*\.js' | head -1)
check "$asset" 200
curl -s "http://127.0.0.1:$PORT/no-such-page/" | grep -q '"detail"' || { echo "FAIL 404 is not JSON"; exit 1; }
echo "production smoke test passed"
