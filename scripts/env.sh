# Local defaults for every process of the assistant; sourced by scripts/run.sh and the tests.
# Any variable already set in the environment (or in .env) wins.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
set -a
. "$ROOT/scripts/process.env"
if [ -f "$ROOT/.env" ]; then . "$ROOT/.env"; fi
set +a
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_TOKEN="${RASA_TOKEN:-change-me-local-token}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
export TRACKER_DB="${TRACKER_DB:-$ROOT/var/tracker.db}"
export ENDPOINTS_FILE="${ENDPOINTS_FILE:-endpoints.yml}"
# The application database defaults to var/app.db (DATABASE_URL, assistance/settings.py).
# Advisor desk (assistance/settings.py): its port, how it reaches Rasa, its API token, and the demo
# advisor of conf/advisors.yml (DESK_DEMO=true is for local runs only).
export DESK_PORT="${DESK_PORT:-5080}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
export DESK_API_TOKEN="${DESK_API_TOKEN:-change-me-desk-token}"
export DESK_DEMO="${DESK_DEMO:-true}"
