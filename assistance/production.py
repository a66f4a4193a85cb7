"""The production start refuses unsafe settings and says which one to fix.

    .venv/bin/python -m assistance.production     exit 0 when the settings are safe, else 1

`scripts/run.sh --production` runs it before starting anything. Local mode (`make run`) binds
every server to 127.0.0.1 with random secrets of its own (var/secrets.env) and needs no check.
"""

from __future__ import annotations

import sys

from assistance.secrets import is_weak
from assistance.settings import Settings, get_settings


def problems(settings: Settings) -> list[str]:
    """What makes these settings unsafe in front of the public; empty when they are safe."""
    found = []
    for name, value in (
        ("RASA_JWT_SECRET", settings.rasa_jwt_secret),
        ("ACTION_SERVER_TOKEN", settings.action_server_token),
        ("DESK_API_TOKEN", settings.desk_api_token),
    ):
        if is_weak(value):
            found.append(
                f"{name} is empty, short or a placeholder: set a random value of at least 24 "
                f"characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
    if settings.allow_demo_accounts:
        found.append("DESK_DEMO is on: the demonstration advisor has a public password; unset it.")
    if settings.cookie_secure is False:
        found.append("DESK_COOKIE_SECURE is off: advisors' session cookies must be Secure (HTTPS).")
    for name, host in (("RASA_INTERFACE", settings.rasa_interface),
                       ("ACTIONS_HOST", settings.actions_host), ("DESK_HOST", settings.desk_host)):
        if host in ("0.0.0.0", "::", "") and not settings.public_bind:
            found.append(
                f"{name}={host or '(empty)'} exposes the server on every network: bind it to "
                f"127.0.0.1 or a private address, and publish only what nginx exposes "
                f"(deploy/nginx/); on a container platform whose network policy decides what is "
                f"public (deploy/kubernetes/), say so with CLAUDIA_PUBLIC_BIND=true."
            )
    return found


def main() -> int:
    found = problems(get_settings())
    for problem in found:
        print(f"refusing to start in production: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
