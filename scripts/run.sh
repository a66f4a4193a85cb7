#!/usr/bin/env bash
# Start the whole assistant; Ctrl-C stops everything.
#   scripts/run.sh               local mode (`make run`): embedded defaults (SQLite), every server
#                                on 127.0.0.1, random secrets in var/secrets.env
#   scripts/run.sh --shell       action server + a terminal conversation
#   scripts/run.sh --replicas N  N Rasa replicas on PostgreSQL + Redis behind nginx, one action
#                                server, the desk (`make run-cluster REPLICAS=N`)
#   scripts/run.sh --production [--replicas N]
#                                the operator's settings (.env or the environment), checked first:
#                                refuses default or empty secrets, the demo account, servers on
#                                every network; PostgreSQL + Redis (endpoints.prod.yml) and nginx
set -euo pipefail
cd "$(dirname "$0")/.."
REPLICAS=0
SHELL_MODE=false
while [ $# -gt 0 ]; do
  case "$1" in
    --production) export CLAUDIA_MODE=production ;;
    --shell) SHELL_MODE=true ;;
    --replicas) REPLICAS="$2"; shift ;;
    *) echo "usage: scripts/run.sh [--production] [--replicas N] [--shell]" >&2; exit 2 ;;
  esac
  shift
done
. scripts/env.sh
mkdir -p var logs
BIN=.venv/bin
PRODUCTION=false
[ "${CLAUDIA_MODE:-local}" = "production" ] && PRODUCTION=true

if $PRODUCTION || [ "$REPLICAS" -gt 0 ]; then
  # Shared storage: PostgreSQL (tracker store, application database) and Redis (the lock between
  # replicas, socket.io between replicas, the desks' live events).
  export ENDPOINTS_FILE="${ENDPOINTS_FILE_PRODUCTION:-endpoints.prod.yml}"
  export POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}" POSTGRES_PORT="${POSTGRES_PORT:-5432}"
  export POSTGRES_DB="${POSTGRES_DB:-test}" POSTGRES_USER="${POSTGRES_USER:-postgres}"
  export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-}"
  export DATABASE_URL="${DATABASE_URL:-postgresql://$POSTGRES_USER@$POSTGRES_HOST:$POSTGRES_PORT/$POSTGRES_DB}"
  export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}" REDIS_DB="${REDIS_DB:-1}"
  export REDIS_URL="${REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT/2}"
  $BIN/python - <<'PY' || exit 1
import os, socket, sys
for name, host, port in (("PostgreSQL", os.environ["POSTGRES_HOST"], os.environ["POSTGRES_PORT"]),
                         ("Redis", os.environ["REDIS_HOST"], os.environ["REDIS_PORT"])):
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError:
        sys.exit(f"{name} does not answer on {host}:{port}: start it (or set the {name.upper()}_* variables).")
PY
  [ "$REPLICAS" -gt 0 ] || REPLICAS=1
fi
if $PRODUCTION; then
  $BIN/python -m assistance.production || exit 1
elif [ -z "${ADVISORS_FILE:-}" ]; then
  # The local demo advisor « demo », with a random password of its own (var/secrets.env).
  export ADVISORS_FILE="$ROOT/var/advisors.local.yml"
  if [ ! -f "$ADVISORS_FILE" ]; then
    hash=$(printf '%s' "$DESK_DEMO_PASSWORD" | $BIN/python -m desk.hash_password --stdin)
    printf 'conseillers:\n  - identifiant: demo\n    prenom: Camille\n    mot_de_passe_bcrypt: "%s"\n    demo: true\n    roles: [conseiller, formateur]\n' \
      "$hash" > "$ADVISORS_FILE"
  fi
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_for() {  # url, name
  for _ in $(seq 1 180); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  echo "$2 did not start: see logs/" >&2; exit 1
}

$BIN/python -m servers.action_server --port "$ACTIONS_PORT" >logs/actions.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "The action server"

if $SHELL_MODE; then
  $BIN/rasa shell -m models/claudia.tar.gz --endpoints "$ENDPOINTS_FILE"
  exit
fi

start_rasa() {  # port, log
  $BIN/python -m servers.rasa_server --model models/claudia.tar.gz --port "$1" \
    --endpoints "$ENDPOINTS_FILE" --credentials credentials.yml --cors ${WIDGET_ORIGINS:-"*"} \
    >"$2" 2>&1 &
  pids+=($!)
}

if [ "$REPLICAS" -gt 0 ]; then
  # One TensorFlow thread of each kind per replica: replicas do not fight over the cores.
  export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
  export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
  upstreams=()
  for i in $(seq 0 $((REPLICAS - 1))); do
    start_rasa $((RASA_PORT + i)) "logs/rasa-$i.log"
    upstreams+=("127.0.0.1:$((RASA_PORT + i))")
  done
  for i in $(seq 0 $((REPLICAS - 1))); do wait_for "http://127.0.0.1:$((RASA_PORT + i))/" "Rasa replica $i"; done
  # Only the public doors through nginx (deploy/nginx/): the webhook, socket.io and the desk; the
  # desk reaches Rasa's API through nginx's private door, across the replicas.
  INTERNAL="127.0.0.1:${RASA_INTERNAL_PORT:-5099}"
  $BIN/python scripts/nginx_conf.py --out var/nginx --rasa "${upstreams[@]}" --internal "$INTERNAL" >/dev/null
  nginx -c "$ROOT/var/nginx/nginx.conf" -g "daemon off;" >logs/nginx.log 2>&1 &
  pids+=($!)
  export RASA_URL="http://$INTERNAL"
else
  start_rasa "$RASA_PORT" logs/rasa.log
  wait_for "http://127.0.0.1:$RASA_PORT/" "The Rasa server"
fi

# The advisor desk (desk/): talks to Rasa through its HTTP API with a JWT (RASA_JWT_SECRET).
$BIN/python -m desk >logs/desk.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$DESK_PORT/connexion" "The advisor desk"

if [ "$REPLICAS" -gt 0 ]; then
  cat <<MSG

  Claud.IA is running$($PRODUCTION && echo " in production mode"): $REPLICAS Rasa replica(s) behind nginx (var/nginx/nginx.conf),
  PostgreSQL $POSTGRES_HOST:$POSTGRES_PORT/$POSTGRES_DB, Redis $REDIS_HOST:$REDIS_PORT.
  public:  http://127.0.0.1:${PUBLIC_PORT:-8443}/webhooks/rest/webhook and /socket.io
  desk:    http://127.0.0.1:${DESK_PUBLIC_PORT:-8444}/
  Logs:    logs/ — Ctrl-C stops everything.

MSG
else
  WIDGET_PORT="${WIDGET_PORT:-8080}"
  $BIN/python widget/serve.py --port "$WIDGET_PORT" --rasa-port "$RASA_PORT" >logs/widget.log 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$WIDGET_PORT/" "The widget demo page"
  cat <<MSG

  Claud.IA is running (local mode: every server on 127.0.0.1).
  REST:      curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
               -H 'Content-Type: application/json' \\
               -d '{"sender": "moi", "message": "comment créer un compte ?"}'
  socket.io: http://127.0.0.1:$RASA_PORT/socket.io (the web widget)
  Desk:      http://127.0.0.1:$DESK_PORT/  advisors' console — login « demo »; its password and the
             desk API token (DESK_API_TOKEN) are in var/secrets.env, made for this machine
  Demo page: http://127.0.0.1:$WIDGET_PORT/  (the portal stand-in with the chat window)
  Logs:      logs/rasa.log, logs/actions.log, logs/widget.log, logs/desk.log — Ctrl-C stops everything.

MSG
fi
wait -n "${pids[@]}"
