# Local defaults for every process of the assistant; sourced by scripts/run.sh.
# Any variable already set in the environment (or in .env) wins. Every variable is read by
# assistance/settings.py; this file only gives the local ones their values.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set -a
. "$ROOT/scripts/process.env"
if [ -f "$ROOT/.env" ]; then . "$ROOT/.env"; fi
set +a

# Local mode: random secrets made on the first run, kept in var/secrets.env (gitignored).
# A production start (CLAUDIA_MODE=production) never makes any: it wants the operator's.
SECRETS_FILE="${SECRETS_FILE:-$ROOT/var/secrets.env}"
if [ "${CLAUDIA_MODE:-local}" != "production" ]; then
  if [ ! -f "$SECRETS_FILE" ]; then
    mkdir -p "$(dirname "$SECRETS_FILE")"
    ( umask 077
      for name in RASA_JWT_SECRET ACTION_SERVER_TOKEN DESK_API_TOKEN DESK_DEMO_PASSWORD; do
        echo "$name=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
      done > "$SECRETS_FILE" )
  fi
  while IFS='=' read -r name value; do
    [ -n "$name" ] && [ -z "${!name:-}" ] && export "$name=$value"
  done < "$SECRETS_FILE"
  export DESK_DEMO="${DESK_DEMO:-true}"
fi

export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
export TRACKER_DB="${TRACKER_DB:-$ROOT/var/tracker.db}"
export ENDPOINTS_FILE="${ENDPOINTS_FILE:-endpoints.yml}"
# The application database defaults to var/app.db (DATABASE_URL); every server binds 127.0.0.1
# (RASA_INTERFACE, ACTIONS_HOST, DESK_HOST) unless told otherwise.
export DESK_PORT="${DESK_PORT:-5080}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
