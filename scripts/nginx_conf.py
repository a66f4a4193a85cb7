#!/usr/bin/env python
"""Render deploy/nginx/nginx.conf.j2 into a configuration nginx can start with.

    .venv/bin/python scripts/nginx_conf.py --out var/nginx [--rasa 127.0.0.1:5005 ...]

Values come from the options, else from the environment (scripts/env.sh): PUBLIC_PORT (8443),
DESK_PUBLIC_PORT (8444), RASA_PORT, DESK_PORT, and the rate limits NGINX_RATE_WEBHOOK (requests
per second and client, 5), NGINX_RATE_SOCKETIO (20), NGINX_RATE_DESK (10), NGINX_RATE_LOGIN (per
minute, 20), and RASA_INTERNAL_LISTEN (a private address:port through which the desk reaches
Rasa's HTTP API across replicas; none by default). Prints the path of the file written;
`nginx -t -c <it>` checks it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "nginx.conf.j2"


def render(out: Path, *, rasa: list[str], desk: list[str], public_listen: str, desk_listen: str,
           log_dir: Path, rates: dict[str, int], tls: bool = False,
           internal_listen: str | None = None) -> Path:
    run_dir = out.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    environment = Environment(loader=FileSystemLoader(TEMPLATE.parent), undefined=StrictUndefined,
                              keep_trailing_newline=True)
    text = environment.get_template(TEMPLATE.name).render(
        workers=1, worker_connections=4096, run_dir=run_dir, log_dir=log_dir.resolve(),
        rasa=rasa, desk=desk, public_listen=public_listen, desk_listen=desk_listen,
        max_body="64k", max_connections=rates.get("connections", 100), turn_timeout="60s",
        rate_webhook=rates["webhook"], rate_socketio=rates["socketio"], rate_desk=rates["desk"],
        rate_login=rates["login"], burst_webhook=rates["webhook"] * 2,
        burst_socketio=rates["socketio"] * 2, burst_desk=rates["desk"] * 4, tls=tls,
        internal_listen=internal_listen,
    )
    path = run_dir / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(description="Render the nginx configuration of Claud.IA.")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "nginx")
    parser.add_argument("--logs", type=Path, default=ROOT / "logs")
    parser.add_argument("--rasa", nargs="+", default=[f"127.0.0.1:{env.get('RASA_PORT', '5005')}"],
                        help="the Rasa replicas, host:port")
    parser.add_argument("--desk", nargs="+", default=[f"127.0.0.1:{env.get('DESK_PORT', '5080')}"])
    parser.add_argument("--public", default=env.get("PUBLIC_PORT", "8443"), help="listen (port or addr:port)")
    parser.add_argument("--desk-public", default=env.get("DESK_PUBLIC_PORT", "8444"))
    parser.add_argument("--internal", default=env.get("RASA_INTERNAL_LISTEN"),
                        help="a private address:port for Rasa's HTTP API across replicas (optional)")
    args = parser.parse_args(argv)
    rates = {
        "webhook": int(env.get("NGINX_RATE_WEBHOOK", 5)),
        "socketio": int(env.get("NGINX_RATE_SOCKETIO", 20)),
        "desk": int(env.get("NGINX_RATE_DESK", 10)),
        "login": int(env.get("NGINX_RATE_LOGIN", 20)),
        "connections": int(env.get("NGINX_MAX_CONNECTIONS", 100)),
    }
    path = render(args.out, rasa=args.rasa, desk=args.desk, public_listen=args.public,
                  desk_listen=args.desk_public, log_dir=args.logs, rates=rates,
                  internal_listen=args.internal)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
