# Local defaults for every process of the assistant; sourced by scripts/run.sh and the tests.
# Any variable already set in the environment (or in .env) wins.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$ROOT/.env" ]; then set -a; . "$ROOT/.env"; set +a; fi
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_TOKEN="${RASA_TOKEN:-change-me-local-token}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
export TRACKER_DB="${TRACKER_DB:-$ROOT/var/tracker.db}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/var/app.db}"
export ENDPOINTS_FILE="${ENDPOINTS_FILE:-endpoints.yml}"
# Advisor desk (desk/settings.py): its port, how it reaches Rasa, its API token, and the demo
# advisor of conf/advisors.yml (DESK_DEMO=true is for local runs only).
export DESK_PORT="${DESK_PORT:-5080}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
export DESK_API_TOKEN="${DESK_API_TOKEN:-change-me-desk-token}"
export DESK_DEMO="${DESK_DEMO:-true}"
