#!/usr/bin/env bash
# Start the whole assistant on embedded defaults; Ctrl-C stops everything.
#   scripts/run.sh          action server + Rasa server (REST and socket.io) + widget demo page
#                           + advisor desk
#   scripts/run.sh --shell  action server + a terminal conversation
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
mkdir -p var logs
BIN=.venv/bin

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_for() {  # url, name
  for _ in $(seq 1 180); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  echo "$2 did not start: see logs/" >&2; exit 1
}

$BIN/rasa run actions --port "$ACTIONS_PORT" --actions actions >logs/actions.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "The action server"

if [ "${1:-}" = "--shell" ]; then
  $BIN/rasa shell -m models/claudia.tar.gz --endpoints "$ENDPOINTS_FILE"
  exit
fi

$BIN/rasa run -m models/claudia.tar.gz --enable-api --auth-token "$RASA_TOKEN" --cors "*" \
  --port "$RASA_PORT" --endpoints "$ENDPOINTS_FILE" --credentials credentials.yml \
  >logs/rasa.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$RASA_PORT/status?token=$RASA_TOKEN" "The Rasa server"

# The advisor desk (desk/): talks to Rasa through its HTTP API with RASA_TOKEN.
$BIN/python -m desk >logs/desk.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$DESK_PORT/connexion" "The advisor desk"

WIDGET_PORT="${WIDGET_PORT:-8080}"
$BIN/python widget/serve.py --port "$WIDGET_PORT" --rasa-port "$RASA_PORT" >logs/widget.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$WIDGET_PORT/" "The widget demo page"

cat <<MSG

  Claud.IA is running.
  REST:      curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
               -H 'Content-Type: application/json' \\
               -d '{"sender": "moi", "message": "comment créer un compte ?"}'
  socket.io: http://127.0.0.1:$RASA_PORT/socket.io (the web widget)
  Desk:      http://127.0.0.1:$DESK_PORT/  advisors' console — demo login « demo », password « chorus-demo »
             (JSON API under /api, desk/openapi.yaml: header « Authorization: Bearer $DESK_API_TOKEN »)
  Demo page: http://127.0.0.1:$WIDGET_PORT/  (the portal stand-in with the chat window)
  Logs:      logs/rasa.log, logs/actions.log, logs/widget.log, logs/desk.log — Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
