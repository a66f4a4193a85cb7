"""Who may use the desk: advisors' sessions (login form, cookie) and the API bearer token.

Every request needs a session or the token, except the login page itself: anything else,
including unknown paths, is refused before routing (401, or a redirect to the login page for a
browser asking for a page). Security headers go on every response.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from assistance.settings import Settings
from desk.advisors import Advisor, authenticate, load_advisors
from desk.context import CORE
from desk.errors import error

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "desk_session"
PUBLIC_PATHS = {"/connexion"}
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


def _settings(request: web.Request) -> Settings:
    return request.app[CORE].settings


SESSIONS = web.AppKey("sessions", Sessions)
THROTTLE = web.AppKey("throttle", LoginThrottle)


def advisors(request: web.Request) -> dict[str, Advisor]:
    settings = _settings(request)
    return load_advisors(settings.advisors_file, allow_demo=settings.allow_demo_accounts)


def acting_advisor(request: web.Request) -> Advisor | None:
    return request.get("advisor")


def by_api_token(request: web.Request) -> bool:
    """Did the request come with the API's bearer token (rather than an advisor's session)?"""
    return bool(request.get("api_token"))


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await _authenticated(request, handler)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _authenticated(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    settings = _settings(request)
    request["advisor"] = None
    login = request.app[SESSIONS].login_for(request.cookies.get(COOKIE))
    if login is not None:
        advisor = advisors(request).get(login)
        if advisor is None:  # removed from the file since: the session ends
            request.app[SESSIONS].drop(request.cookies.get(COOKIE))
        else:
            request["advisor"] = advisor
            if request.method == "POST" and request.path.startswith("/api/"):
                # A cross-site form cannot send JSON: this and SameSite=Strict stop CSRF.
                if request.content_type != "application/json":
                    return error("json_requis")
            return await handler(request)
    token = _bearer(request)
    api_token = settings.desk_api_token
    if token and api_token and hmac.compare_digest(token.encode(), api_token.encode()):
        request["api_token"] = True
        named = request.headers.get("X-Conseiller")
        request["advisor"] = advisors(request).get(named.strip()) if named else None
        if named and request["advisor"] is None:
            return error("conseiller_requis")
        return await handler(request)
    if request.method == "GET" and not request.path.startswith("/api/"):
        raise web.HTTPSeeOther("/connexion")
    return error("non_authentifie")


def _login_page(message: str = "", status: int = 200) -> web.Response:
    page = (STATIC / "login.html").read_text(encoding="utf-8")
    block = f'<p class="erreur" role="alert">{html.escape(message)}</p>' if message else ""
    return web.Response(text=page.replace("<!--ERREUR-->", block), content_type="text/html", status=status)


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        if request.app[SESSIONS].login_for(request.cookies.get(COOKIE)):
            raise web.HTTPSeeOther("/")
        return _login_page()
    address = request.remote or "?"
    throttle: LoginThrottle = request.app[THROTTLE]
    if throttle.blocked(address):
        return _login_page("Trop de tentatives de connexion : réessayez dans quelques minutes.", 429)
    form = await request.post()
    login = str(form.get("identifiant", ""))[:200]
    password = str(form.get("mot_de_passe", ""))[:200]
    advisor = await asyncio.to_thread(authenticate, advisors(request), login, password)
    if advisor is None:
        throttle.failed(address)
        return _login_page("Identifiant ou mot de passe incorrect.", 401)
    throttle.succeeded(address)
    settings = _settings(request)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE, request.app[SESSIONS].create(advisor.login), httponly=True, samesite="Strict",
        secure=settings.cookie_secure, path="/", max_age=int(settings.session_hours * 3600),
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    request.app[SESSIONS].drop(request.cookies.get(COOKIE))
    response = web.HTTPSeeOther("/connexion")
    response.del_cookie(COOKIE, path="/")
    raise response


def setup(app: web.Application, settings: Settings) -> None:
    app[SESSIONS] = Sessions(settings.session_hours * 3600)
    app[THROTTLE] = LoginThrottle()
    app.router.add_get("/connexion", login_form)
    app.router.add_post("/connexion", login_form)
    app.router.add_post("/deconnexion", logout)
