"""The desk's web app: login, the desk page, and the JSON API under /api (desk/openapi.yaml).

Every request needs a session (cookie set by the login form) or the API bearer token, except the
login page itself: anything else, including unknown paths, is refused before routing (401, or a
redirect to the login page for a browser asking for a page).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from actions import handoff_store
from actions.handoff_store import HandoffError, HandoffView
from desk.advisors import Advisor, authenticate, load_advisors
from desk.rasa_client import RasaClient
from desk.settings import DeskSettings, get_desk_settings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
COOKIE = "desk_session"
PUBLIC_PATHS = {"/connexion"}
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
LOGIN_ATTEMPTS = 5  # failed logins from one address before it waits
LOGIN_WINDOW = 300.0  # seconds
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

# What the desk says when a request cannot be served: (HTTP status, French message).
ERRORS: dict[str, tuple[int, str]] = {
    "non_authentifie": (401, "Connectez-vous pour accéder à la console des conseillers."),
    "conseiller_requis": (
        403, "Indiquez le conseiller qui agit : en-tête X-Conseiller avec son identifiant.",
    ),
    "introuvable": (404, "Cette conversation n'existe pas."),
    "deja_pris": (409, "Cette conversation a déjà été prise en charge par {nom}."),
    "plus_en_attente": (409, "Cette conversation n'est plus en attente."),
    "pas_en_cours": (409, "Cette conversation n'est pas en cours : elle est peut-être déjà clôturée."),
    "autre_conseiller": (403, "Cette conversation est prise en charge par {nom}."),
    "message_vide": (400, "Écrivez un message avant de l'envoyer."),
    "message_trop_long": (
        400, f"Votre message est trop long : {handoff_store.MAX_MESSAGE_LENGTH} caractères au maximum.",
    ),
    "json_requis": (415, "Envoyez la requête au format JSON (Content-Type: application/json)."),
    "json_invalide": (400, "Le corps de la requête doit être un objet JSON."),
    "sollicitation_introuvable": (404, "Aucune sollicitation ne porte cette référence."),
    "base_indisponible": (503, "La base de données ne répond pas : réessayez dans un instant."),
}


def error(code: str, **values: Any) -> web.Response:
    status, message = ERRORS[code]
    return web.json_response({"error": code, "message": message.format(**values)}, status=status)


class Sessions:
    """Advisor sessions, in memory: a desk restart asks advisors to log in again."""

    def __init__(self, lifetime_seconds: float) -> None:
        self._lifetime = lifetime_seconds
        self._sessions: dict[str, tuple[str, float]] = {}

    def create(self, login: str) -> str:
        token = secrets.token_urlsafe(32)
        self._sessions[token] = (login, time.monotonic() + self._lifetime)
        return token

    def login_for(self, token: str | None) -> str | None:
        if not token:
            return None
        entry = self._sessions.get(token)
        if entry is None:
            return None
        login, expires = entry
        if time.monotonic() > expires:
            self._sessions.pop(token, None)
            return None
        return login

    def drop(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)


class LoginThrottle:
    """At most LOGIN_ATTEMPTS failed logins per address in LOGIN_WINDOW seconds."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}

    def blocked(self, address: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self._failures.get(address, []) if now - t < LOGIN_WINDOW]
        self._failures[address] = recent
        return len(recent) >= LOGIN_ATTEMPTS

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, []).append(time.monotonic())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


# --- Authentication ---------------------------------------------------------------------


def _advisors(request: web.Request) -> dict[str, Advisor]:
    settings: DeskSettings = request.app["settings"]
    return load_advisors(settings.advisors_file, allow_demo=settings.allow_demo_accounts)


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@web.middleware
async def security_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await _authenticated(request, handler)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _authenticated(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    settings: DeskSettings = request.app["settings"]
    request["advisor"] = None
    login = request.app["sessions"].login_for(request.cookies.get(COOKIE))
    if login is not None:
        advisor = _advisors(request).get(login)
        if advisor is None:  # removed from the file since: the session ends
            request.app["sessions"].drop(request.cookies.get(COOKIE))
        else:
            request["advisor"] = advisor
            if request.method == "POST" and request.path.startswith("/api/"):
                # A cross-site form cannot send JSON: this and SameSite=Strict stop CSRF.
                if request.content_type != "application/json":
                    return error("json_requis")
            return await handler(request)
    token = _bearer(request)
    if token and settings.api_token and hmac.compare_digest(token.encode(), settings.api_token.encode()):
        named = request.headers.get("X-Conseiller")
        request["advisor"] = _advisors(request).get(named.strip()) if named else None
        if named and request["advisor"] is None:
            return error("conseiller_requis")
        return await handler(request)
    if request.method == "GET" and not request.path.startswith("/api/"):
        raise web.HTTPSeeOther("/connexion")
    return error("non_authentifie")


def _acting_advisor(request: web.Request) -> Advisor | None:
    return request.get("advisor")


# --- Pages ------------------------------------------------------------------------------


def _login_page(message: str = "", status: int = 200) -> web.Response:
    page = (STATIC / "login.html").read_text(encoding="utf-8")
    block = f'<p class="erreur" role="alert">{html.escape(message)}</p>' if message else ""
    return web.Response(text=page.replace("<!--ERREUR-->", block), content_type="text/html", status=status)


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        if request.app["sessions"].login_for(request.cookies.get(COOKIE)):
            raise web.HTTPSeeOther("/")
        return _login_page()
    address = request.remote or "?"
    throttle: LoginThrottle = request.app["throttle"]
    if throttle.blocked(address):
        return _login_page("Trop de tentatives de connexion : réessayez dans quelques minutes.", 429)
    form = await request.post()
    login = str(form.get("identifiant", ""))[:200]
    password = str(form.get("mot_de_passe", ""))[:200]
    advisor = await asyncio.to_thread(authenticate, _advisors(request), login, password)
    if advisor is None:
        throttle.failed(address)
        return _login_page("Identifiant ou mot de passe incorrect.", 401)
    throttle.succeeded(address)
    settings: DeskSettings = request.app["settings"]
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE, request.app["sessions"].create(advisor.login), httponly=True, samesite="Strict",
        secure=settings.cookie_secure, path="/", max_age=int(settings.session_hours * 3600),
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    request.app["sessions"].drop(request.cookies.get(COOKIE))
    response = web.HTTPSeeOther("/connexion")
    response.del_cookie(COOKIE, path="/")
    raise response


async def desk_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "desk.html", headers={"Content-Type": "text/html; charset=utf-8"})


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in {"desk.js", "desk.css"}:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name)


async def openapi(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(HERE / "openapi.yaml", headers={"Content-Type": "application/yaml"})


# --- API --------------------------------------------------------------------------------


async def _wake_up(request: web.Request, conversation_id: str) -> bool:
    return await request.app["rasa"].wake_up(conversation_id)


async def _expire_overdue(app: web.Application) -> None:
    """Give up the waiting handoffs nobody took in time, and tell their users."""
    for handoff in await asyncio.to_thread(handoff_store.expire_overdue):
        await app["rasa"].wake_up(handoff.conversation_id)


def _handoff_json(handoff: HandoffView, *, position: int | None = None) -> dict[str, Any]:
    data = handoff.as_dict()
    if position is not None:
        data["position"] = position
        estimate = handoff_store.estimate_wait(position)
        data["estimated_wait_seconds"] = int(estimate.total_seconds()) if estimate else None
    return data


def _handoff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    if request.content_type != "application/json":
        return error("json_requis")
    try:
        body = await request.json()
    except ValueError:
        return error("json_invalide")
    return body if isinstance(body, dict) else error("json_invalide")


def _handoff_error(exc: HandoffError) -> web.Response:
    nom = (exc.handoff.advisor_name or exc.handoff.advisor_login) if exc.handoff else None
    return error(exc.code, nom=nom or "un autre conseiller")


async def me(request: web.Request) -> web.Response:
    advisor = _acting_advisor(request)
    return web.json_response(
        {"login": advisor.login, "name": advisor.name} if advisor else {"login": None, "name": None}
    )


async def list_handoffs(request: web.Request) -> web.Response:
    wanted = [s for value in request.query.getall("status", []) for s in value.split(",") if s]
    statuses = wanted or list(handoff_store.OPEN_STATUSES)
    conversation_id = request.query.get("conversation_id")
    try:
        limit = min(max(int(request.query.get("limit", "200")), 1), 200)
    except ValueError:
        limit = 200
    await _expire_overdue(request.app)

    def read() -> dict[str, Any]:
        handoffs = handoff_store.list_handoffs(statuses, conversation_id=conversation_id, limit=limit)
        waiting = handoff_store.list_handoffs(("en_attente",))
        positions = {h.id: index for index, h in enumerate(waiting, start=1)}
        estimate = handoff_store.estimate_wait(len(waiting) + 1)
        return {
            "handoffs": [_handoff_json(h, position=positions.get(h.id)) for h in handoffs],
            "queue": {
                "waiting": len(waiting),
                "estimated_wait_seconds": int(estimate.total_seconds()) if estimate else None,
            },
        }

    return web.json_response(await asyncio.to_thread(read))


async def get_handoff(request: web.Request) -> web.Response:
    handoff = await asyncio.to_thread(handoff_store.get_handoff, _handoff_id(request), with_messages=True)
    if handoff is None:
        return error("introuvable")
    data = handoff.as_dict()
    data["messages"] = [m.as_dict() for m in handoff.messages]
    return web.json_response(data)


async def list_messages(request: web.Request) -> web.Response:
    handoff_id = _handoff_id(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    handoff = await asyncio.to_thread(handoff_store.get_handoff, handoff_id)
    if handoff is None:
        return error("introuvable")
    messages = await asyncio.to_thread(handoff_store.messages, handoff_id, after)
    return web.json_response(
        {"status": handoff.status, "messages": [m.as_dict() for m in messages]}
    )


async def take_handoff(request: web.Request) -> web.Response:
    advisor = _acting_advisor(request)
    if advisor is None:
        return error("conseiller_requis")
    try:
        handoff = await asyncio.to_thread(
            handoff_store.take, _handoff_id(request), advisor.login, advisor.name
        )
    except HandoffError as exc:
        return _handoff_error(exc)
    notified = await _wake_up(request, handoff.conversation_id)
    return web.json_response({"handoff": handoff.as_dict(), "notified": notified})


async def post_message(request: web.Request) -> web.Response:
    advisor = _acting_advisor(request)
    if advisor is None:
        return error("conseiller_requis")
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    text = body.get("text")
    if not isinstance(text, str):
        return error("message_vide")
    handoff_id = _handoff_id(request)
    try:
        message = await asyncio.to_thread(handoff_store.add_advisor_message, handoff_id, advisor.login, text)
    except HandoffError as exc:
        return _handoff_error(exc)
    handoff = await asyncio.to_thread(handoff_store.get_handoff, handoff_id)
    notified = await _wake_up(request, handoff.conversation_id)
    return web.json_response({"message": message.as_dict(), "notified": notified}, status=201)


async def close_handoff(request: web.Request) -> web.Response:
    advisor = _acting_advisor(request)
    if advisor is None:
        return error("conseiller_requis")
    try:
        handoff = await asyncio.to_thread(handoff_store.close, _handoff_id(request), advisor.login)
    except HandoffError as exc:
        return _handoff_error(exc)
    notified = await _wake_up(request, handoff.conversation_id)
    return web.json_response({"handoff": handoff.as_dict(), "notified": notified})


async def sollicitation(request: web.Request) -> web.StreamResponse:
    """A solicitation draft read back, as JSON or (`.txt`) as plain text ready to paste."""
    reference = request.match_info["reference"]
    as_text = reference.endswith(".txt")
    if as_text:
        reference = reference.removesuffix(".txt")
    if not REFERENCE.match(reference):
        return error("sollicitation_introuvable")
    try:
        from actions import sollicitation_store  # written with the solicitation form
    except ImportError:
        return error("sollicitation_introuvable")
    reader = getattr(
        sollicitation_store, "sollicitation_as_text" if as_text else "sollicitation_as_dict", None
    )
    if reader is None:
        return error("sollicitation_introuvable")
    found = await asyncio.to_thread(reader, reference)
    if found is None:
        return error("sollicitation_introuvable")
    if as_text:
        return web.Response(text=found, content_type="text/plain", charset="utf-8")
    return web.json_response(found)


# --- Application ------------------------------------------------------------------------


async def _sweep(app: web.Application) -> None:
    interval = app["settings"].sweep_seconds
    while True:
        try:
            await _expire_overdue(app)
        except Exception:  # noqa: BLE001 (keep sweeping whatever one round met)
            logger.exception("sweep of overdue handoffs failed")
        await asyncio.sleep(interval)


async def _start(app: web.Application) -> None:
    app["sweeper"] = asyncio.create_task(_sweep(app))


async def _stop(app: web.Application) -> None:
    app["sweeper"].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app["sweeper"]
    await _close_rasa(app)


@web.middleware
async def database_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return await handler(request)
    except SQLAlchemyError:
        logger.exception("database error on %s", request.path)
        return error("base_indisponible")


def create_app(settings: DeskSettings | None = None, *, sweep: bool = True) -> web.Application:
    settings = settings or get_desk_settings()
    app = web.Application(middlewares=[security_middleware, database_errors], client_max_size=64 * 1024)
    app["settings"] = settings
    app["sessions"] = Sessions(settings.session_hours * 3600)
    app["throttle"] = LoginThrottle()
    app["rasa"] = RasaClient(settings.rasa_url, settings.rasa_token)
    app.router.add_get("/connexion", login_form)
    app.router.add_post("/connexion", login_form)
    app.router.add_post("/deconnexion", logout)
    app.router.add_get("/", desk_page)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/api/openapi.yaml", openapi)
    app.router.add_get("/api/moi", me)
    app.router.add_get("/api/handoffs", list_handoffs)
    app.router.add_get("/api/handoffs/{handoff_id}", get_handoff)
    app.router.add_get("/api/handoffs/{handoff_id}/messages", list_messages)
    app.router.add_post("/api/handoffs/{handoff_id}/messages", post_message)
    app.router.add_post("/api/handoffs/{handoff_id}/take", take_handoff)
    app.router.add_post("/api/handoffs/{handoff_id}/close", close_handoff)
    app.router.add_get("/api/sollicitations/{reference}", sollicitation)
    if sweep:
        app.on_startup.append(_start)
        app.on_cleanup.append(_stop)
    else:
        app.on_cleanup.append(_close_rasa)
    return app


async def _close_rasa(app: web.Application) -> None:
    await app["rasa"].close()
