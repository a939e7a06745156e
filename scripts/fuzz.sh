#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI schema with schemathesis:
# every operation, once as a customer and once as a staff user (so staff
# endpoints are fuzzed with the rights to reach their logic), each with a real
# token, a fixed seed and a bounded number of examples. Fails on any 5xx and on any response
# the schema does not describe (status code, content type, body).
#
#   bash scripts/fuzz.sh            # or: make fuzz
#   FUZZ_EXAMPLES=200 bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${FUZZ_PORT:-8766}"
EXAMPLES="${FUZZ_EXAMPLES:-50}"
SEED="${FUZZ_SEED:-20261126}"
work=$(mktemp -d)
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_THROTTLING=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_LOG_LEVEL=ERROR
export DJANGO_SECRET_KEY="fuzz-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export TICKET_SIGNING_KEY="$(.venv/bin/python -c 'from tickets.keys import new_key; print(new_key().setting)')"
export DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite:///$work/fuzz.sqlite3}"
case "$DATABASE_URL" in postgres*) .venv/bin/python scripts/pgdb.py recreate "$DATABASE_URL" ;; esac
export JWT_ACCESS_MINUTES=120
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
token_for() {  # token_for USERNAME IS_STAFF
  .venv/bin/python manage.py shell -v0 -c "
from accounts.models import User
from rest_framework_simplejwt.tokens import RefreshToken
user, _ = User.objects.get_or_create(username='$1', defaults={'is_staff': $2})
print(RefreshToken.for_user(user).access_token)"
}
CUSTOMER_TOKEN=$(token_for fuzz-customer False)
STAFF_TOKEN=$(token_for fuzz-staff True)
.venv/bin/gunicorn config.wsgi -b "127.0.0.1:$PORT" -w 2 --pid "$work/pid" --daemon --error-logfile "$work/errors.log"
. scripts/lib.sh
trap 'stop_and_clean "$work"' EXIT
.venv/bin/python scripts/servers.py "http://127.0.0.1:$PORT/healthz" --name "gunicorn (fuzzing)" --log "$work/errors.log"

for role in customer staff; do
  echo "== schemathesis as $role =="
  [ "$role" = staff ] && TOKEN=$STAFF_TOKEN || TOKEN=$CUSTOMER_TOKEN
  .venv/bin/st run "http://127.0.0.1:$PORT/api/schema/" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" --seed "$SEED" \
  --phases examples,coverage,fuzzing \
  --request-timeout 10 --no-color
done
