"""Who may open what: the live-chat console is for advisors (role `conseiller`), the « Formation »
space for trainers (role `formateur`); an account may have both (conf/advisors.yml).

Runs after desk/auth.py has recognised the account. The bare API token (no X-Conseiller) keeps
its reading of the advisors' API and reads the dashboard's figures (a weekly report, a cron); the
rest of the trainers' API needs a trainer account.
"""

from __future__ import annotations

from aiohttp import web

from desk.advisors import ADVISOR, TRAINER
from desk.auth import PUBLIC_PATHS, Handler, acting_advisor
from desk.errors import error

TRAINER_PREFIXES = ("/formation", "/api/formation/", "/static/formation.")
ADVISOR_PREFIXES = ("/api/handoffs", "/api/sollicitations/", "/static/desk.")
TOKEN_READABLE = ("/api/formation/tableau-de-bord",)  # figures only, no user's words

FORBIDDEN_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Accès réservé — Claud.IA</title>
<link rel="stylesheet" href="/static/formation.css"></head>
<body><main class="interdit"><h1>Accès réservé</h1><p>{message}</p>
<p><a href="/">Retour à l'accueil</a></p>
<form method="post" action="/deconnexion"><button type="submit">Se déconnecter</button></form>
</main></body></html>"""


def required_role(path: str) -> str | None:
    if path == "/" or path.startswith(ADVISOR_PREFIXES):
        return ADVISOR
    if path.startswith(TRAINER_PREFIXES):
        return TRAINER
    return None


def _refused(request: web.Request, role: str) -> web.StreamResponse:
    code = "formateur_requis" if role == TRAINER else "role_conseiller_requis"
    if request.path.startswith("/api/"):
        return error(code)
    message = (
        "L'espace Formation est réservé aux formateurs." if role == TRAINER
        else "La console du chat est réservée aux conseillers."
    )
    return web.Response(text=FORBIDDEN_PAGE.format(message=message), content_type="text/html", status=403)


@web.middleware
async def roles_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    role = required_role(request.path)
    if role is None or request.path in PUBLIC_PATHS:
        return await handler(request)
    account = acting_advisor(request)
    if account is None:  # the bare API token
        if role == ADVISOR or (request.method == "GET" and request.path.startswith(TOKEN_READABLE)):
            return await handler(request)
        return _refused(request, role)
    if account.has_role(role):
        return await handler(request)
    if request.path == "/" and account.has_role(TRAINER):
        raise web.HTTPSeeOther("/formation")  # a trainer's home
    return _refused(request, role)
