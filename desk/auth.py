"""Who may use the desk: advisors' sessions (login form, cookie) and the API bearer token.

Every request needs a session or the token, except the login page itself: anything else,
including unknown paths, is refused before routing (401, or a redirect to the login page for a
browser asking for a page). Security headers go on every response, errors included.

Guessing is slowed down before any password is hashed: an attempt counts as soon as it arrives,
per address and per account, and beyond the limit the answer is a 429 without bcrypt. bcrypt
runs on a small executor of its own, so a flood of logins cannot take the desk's threads; an
unknown login costs the same as a known one. Session cookies are Secure whenever the desk is
reached over HTTPS (nginx says so) or not on loopback, unless DESK_COOKIE_SECURE decides.
Logins, refused ones included, go to the audit log (assistance/audit.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from assistance import audit
from assistance.settings import Settings
from desk.advisors import Advisor, authenticate, load_advisors
from desk.context import CORE
from desk.errors import error

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "desk_session"
PUBLIC_PATHS = {"/connexion"}
LOGIN_ATTEMPTS = 5  # login attempts from one address before it waits
ACCOUNT_ATTEMPTS = 10  # login attempts on one account, from anywhere, before it waits
LOGIN_WINDOW = 300.0  # seconds
BCRYPT_THREADS = 2
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
    """Login attempts per address and per account in the last LOGIN_WINDOW seconds.

    `attempt` counts before the password is checked: parallel attempts cannot all slip through.
    A successful login forgets that address's and that account's attempts.
    """

    def __init__(self, per_address: int = LOGIN_ATTEMPTS, per_account: int = ACCOUNT_ATTEMPTS) -> None:
        self._limits = {"address": per_address, "account": per_account}
        self._attempts: dict[tuple[str, str], list[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        recent = [t for t in self._attempts.get(key, []) if now - t < LOGIN_WINDOW]
        self._attempts[key] = recent
        return recent

    def attempt(self, address: str, login: str) -> bool:
        """Count an attempt; False when the address or the account is over its limit."""
        now = time.monotonic()
        keys = [("address", address), ("account", login.strip().lower())]
        if any(len(self._recent(key, now)) >= self._limits[key[0]] for key in keys):
            return False
        for key in keys:
            self._attempts[key].append(now)
        return True

    def succeeded(self, address: str, login: str) -> None:
        self._attempts.pop(("address", address), None)
        self._attempts.pop(("account", login.strip().lower()), None)


def _settings(request: web.Request) -> Settings:
    return request.app[CORE].settings


SESSIONS = web.AppKey("sessions", Sessions)
THROTTLE = web.AppKey("throttle", LoginThrottle)
BCRYPT = web.AppKey("bcrypt", ThreadPoolExecutor)


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


def _secure_headers(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await _authenticated(request, handler)
    except web.HTTPException as raised:  # redirects, 404s: responses raised rather than returned
        _secure_headers(raised)
        raise
    _secure_headers(response)
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


def _loopback(address: str | None) -> bool:
    try:
        return ip_address(address or "").is_loopback
    except ValueError:
        return False


def client_address(request: web.Request) -> str:
    """The client's address: nginx on this host says it in X-Real-IP (deploy/nginx/)."""
    forwarded = request.headers.get("X-Real-IP")
    return forwarded if forwarded and _loopback(request.remote) else (request.remote or "?")


def client_key(request: web.Request) -> str:
    """A keyed hash of the client's address, for the audit log."""
    secret = (_settings(request).desk_api_token or "desk").encode()
    return hmac.new(secret, client_address(request).encode(), hashlib.sha256).hexdigest()[:16]


def _cookie_secure(request: web.Request) -> bool:
    configured = _settings(request).cookie_secure
    if configured is not None:
        return configured
    over_https = request.secure or (
        _loopback(request.remote) and request.headers.get("X-Forwarded-Proto") == "https"
    )
    return over_https or not _loopback(urlsplit(f"//{request.host}").hostname)


async def _audit(request: web.Request, action: str, actor: str | None) -> None:
    await asyncio.to_thread(
        audit.record, request.app[CORE].db, action, actor=actor, client_key=client_key(request)
    )


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        if request.app[SESSIONS].login_for(request.cookies.get(COOKIE)):
            raise web.HTTPSeeOther("/")
        return _login_page()
    form = await request.post()
    login = str(form.get("identifiant", ""))[:200]
    password = str(form.get("mot_de_passe", ""))[:200]
    known = advisors(request)
    actor = login.strip() if login.strip() in known else None
    address = client_address(request)
    if not request.app[THROTTLE].attempt(address, login):
        await _audit(request, audit.LOGIN_THROTTLED, actor)
        return _login_page("Trop de tentatives de connexion : réessayez dans quelques minutes.", 429)
    advisor = await asyncio.get_running_loop().run_in_executor(
        request.app[BCRYPT], authenticate, known, login, password
    )
    if advisor is None:
        await _audit(request, audit.LOGIN_REFUSED, actor)
        return _login_page("Identifiant ou mot de passe incorrect.", 401)
    request.app[THROTTLE].succeeded(address, login)
    await _audit(request, audit.LOGIN, advisor.login)
    settings = _settings(request)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE, request.app[SESSIONS].create(advisor.login), httponly=True, samesite="Strict",
        secure=_cookie_secure(request), path="/", max_age=int(settings.session_hours * 3600),
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    advisor = acting_advisor(request)
    request.app[SESSIONS].drop(request.cookies.get(COOKIE))
    if advisor is not None:
        await _audit(request, audit.LOGOUT, advisor.login)
    response = web.HTTPSeeOther("/connexion")
    response.del_cookie(COOKIE, path="/")
    raise response


async def _stop_bcrypt(app: web.Application) -> None:
    app[BCRYPT].shutdown(wait=False, cancel_futures=True)


def setup(app: web.Application, settings: Settings) -> None:
    app[SESSIONS] = Sessions(settings.session_hours * 3600)
    app[THROTTLE] = LoginThrottle()
    app[BCRYPT] = ThreadPoolExecutor(BCRYPT_THREADS, thread_name_prefix="bcrypt")
    app.on_cleanup.append(_stop_bcrypt)
    app.router.add_get("/connexion", login_form)
    app.router.add_post("/connexion", login_form)
    app.router.add_post("/deconnexion", logout)
