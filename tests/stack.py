"""Start the real servers of the assistant for tests: action server and Rasa server.

Used by the integration and end-to-end tiers. Each stack gets its own ports and databases.
The advisor desk (desk/) is optional: `start_desk()` runs it beside the two servers.

Every stack works in `results/test-logs/<name>/` (`workdir(name)`, emptied when a run starts):
its servers' logs (`rasa.log`, `actions.log`, `desk.log`) and SQLite databases stay there after
the run, where `make test-logs` (scripts/scan_logs.py) looks for personal data in the logs.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistance.bootstrap import Core, bootstrap
from assistance.secrets import rasa_jwt
from assistance.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "claudia.tar.gz"
# Secrets of the test servers (long enough for the production check, never used elsewhere).
JWT_SECRET = "tests-jwt-secret-0123456789abcdef"
ACTION_SERVER_TOKEN = "tests-action-server-token-0123456789"
DESK_API_TOKEN = "tests-desk-api-token-0123456789abcdef"
DEMO_PASSWORD = "demo-password-for-tests"
DESK_PORT_OFFSET = 75  # the desk listens on rasa_port + 75 unless told otherwise
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_LOGS = ROOT / "results" / "test-logs"
# Sentences the tests send that must never reach a log (scripts/scan_logs.py reads this file).
SENSITIVE_SENTENCES = ROOT / "tests" / "sensitive_sentences.txt"


def workdir(name: str) -> Path:
    """results/test-logs/<name>, empty: where a stack (or a server of a tier) writes its logs."""
    path = TEST_LOGS / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def sensitive_sentences() -> list[str]:
    lines = SENSITIVE_SENTENCES.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]



def process_env() -> dict[str, str]:
    """scripts/process.env: the environment every process of the assistant gets."""
    lines = (ROOT / "scripts" / "process.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


BASE_ENV = process_env()


def rasa_api_headers() -> dict[str, str]:
    """What an operator's tool sends to Rasa's HTTP API: a JWT in the Authorization header."""
    return {"Authorization": f"Bearer {rasa_jwt(JWT_SECRET)}"}


def write_advisors(path: Path, accounts: dict[str, tuple[str, str]], demo: bool = False) -> Path:
    """An advisors file: login → (first name, password); cheap bcrypt hashes for tests."""
    from desk.advisors import hash_password

    lines = ["conseillers:"]
    for login, (name, password) in accounts.items():
        lines.append(
            f"  - {{identifiant: {login}, prenom: {name}, demo: {str(demo).lower()}, "
            f"mot_de_passe_bcrypt: '{hash_password(password, rounds=4)}'}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def http(method: str, url: str, body: Any = None, timeout: float = 60,
         headers: dict[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def ensure_free(port: int) -> None:
    """Refuse to start on a port something already answers on (another test run's server)."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use: set TEST_PORT_BASE to another value")


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {seconds}s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    """A running action server + Rasa server pair."""

    name: str
    workdir: Path
    rasa_port: int
    actions_port: int
    backend: str = "sqlite"  # or "postgres" (PostgreSQL tracker and app store, Redis lock)
    extra_env: dict[str, str] = field(default_factory=dict)
    desk_port: int | None = None
    _processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _core: Core | None = None

    @property
    def core(self) -> Core:
        """The core on this stack's application database, to read what the servers stored."""
        if self._core is None:
            self._core = bootstrap(Settings.from_env(self.env()))
        return self._core

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def desk_url(self) -> str:
        return f"http://127.0.0.1:{self.desk_port or self.rasa_port + DESK_PORT_OFFSET}"

    @property
    def database_url(self) -> str:
        if self.backend == "postgres":
            return POSTGRES_URL
        return f"sqlite:///{self.workdir / 'app.db'}"

    @property
    def endpoints_file(self) -> str:
        return "endpoints.prod.yml" if self.backend == "postgres" else "endpoints.yml"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            **BASE_ENV,
            "DATABASE_URL": self.database_url,
            "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
            "ENDPOINTS_FILE": self.endpoints_file,  # the tracker database, for the core too
            "TRACKER_DB": str(self.workdir / "tracker.db"),
            "RASA_JWT_SECRET": JWT_SECRET,
            "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
            # Every test user comes from 127.0.0.1: the per-address limit would be reached at once.
            "HANDOFF_LIMIT_PER_CLIENT": "0",
        }
        if self.backend == "postgres":
            # The tracker store (endpoints.prod.yml) in the same database as the application.
            url = urllib.parse.urlsplit(POSTGRES_URL)
            env.update(
                POSTGRES_HOST=url.hostname or "127.0.0.1", POSTGRES_PORT=str(url.port or 5432),
                POSTGRES_DB=url.path.lstrip("/") or "test", POSTGRES_USER=url.username or "postgres",
                POSTGRES_PASSWORD=url.password or "", REDIS_HOST="127.0.0.1", REDIS_PORT="6379",
                REDIS_DB="1",
            )
        env.update(self.extra_env)
        return env

    def _spawn(self, key: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.workdir / f"{key}.log"  # appended: a restarted server keeps its earlier log
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        self._processes[key] = process
        return process

    def start_actions(self, **env_overrides: str) -> None:
        ensure_free(self.actions_port)
        env = {**self.env(), **env_overrides}
        process = self._spawn(
            "actions",
            [str(BIN / "python"), "-m", "servers.action_server", "--port", str(self.actions_port)],
            env,
        )
        wait_for(f"{self.actions_url}/health", process, self.workdir / "actions.log")

    def restart_actions(self, **env_overrides: str) -> None:
        """Restart the action server with other settings (e.g. ASSISTANT_NOW)."""
        self.stop("actions")
        self.start_actions(**env_overrides)

    def start(self) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_actions()
        self.start_rasa()
        return self

    def start_rasa(self, **env_overrides: str) -> None:
        """The Rasa server alone (a replica sharing another stack's action server and databases)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        ensure_free(self.rasa_port)
        process = self._spawn(
            "rasa",
            [str(BIN / "python"), "-m", "servers.rasa_server", "--model", str(MODEL),
             "--port", str(self.rasa_port), "--endpoints", self.endpoints_file,
             "--credentials", "credentials.yml", "--cors", "*"],
            {**self.env(), **env_overrides},
        )
        wait_for(f"{self.rasa_url}/", process, self.workdir / "rasa.log")

    def kill(self, key: str) -> None:
        """kill -9: a process that dies in the middle of its work."""
        process = self._processes.pop(key, None)
        if process and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def rss_mb(self, key: str = "rasa") -> float:
        for line in open(f"/proc/{self._processes[key].pid}/status", encoding="ascii"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def start_desk(self, **env_overrides: str) -> None:
        """Start the advisor desk, talking to this stack's Rasa server and database.

        The demonstration account « demo » (DEMO_PASSWORD) unless ADVISORS_FILE names other
        accounts. The API token is DESK_API_TOKEN.
        """
        self.desk_port = self.desk_port or self.rasa_port + DESK_PORT_OFFSET
        demo = write_advisors(self.workdir / "advisors.demo.yml", {"demo": ("Camille", DEMO_PASSWORD)},
                              demo=True)
        env = {
            **self.env(),
            "DESK_HOST": "127.0.0.1",
            "DESK_PORT": str(self.desk_port),
            "RASA_URL": self.rasa_url,
            "DESK_API_TOKEN": DESK_API_TOKEN,
            "DESK_DEMO": "true",
            "ADVISORS_FILE": str(demo),
            "DESK_SWEEP_SECONDS": "1",
            **env_overrides,
        }
        process = self._spawn("desk", [str(BIN / "python"), "-m", "desk"], env)
        wait_for(f"{self.desk_url}/connexion", process, self.workdir / "desk.log", seconds=60)

    def stop(self, key: str | None = None) -> None:
        for name in [key] if key else list(self._processes):
            process = self._processes.pop(name, None)
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    # --- What a REST caller does -------------------------------------------------------
    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        return http("POST", f"{self.rasa_url}/webhooks/rest/webhook", body)

    def tracker(self, sender: str) -> dict:
        return http("GET", f"{self.rasa_url}/conversations/{sender}/tracker", headers=rasa_api_headers())

    def slot(self, sender: str, name: str) -> Any:
        return self.tracker(sender)["slots"].get(name)


# The no-break spaces of French typography (nlg/typography.py), read as plain spaces so that
# tests can look for « Voulez-vous lui parler ? » as a trainer wrote it.
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def plain(text: str) -> str:
    """A text with its no-break spaces as plain spaces."""
    return text.translate(_NO_BREAK_SPACES)


def texts(messages: list[dict]) -> str:
    """Everything the user sees, as one string (text and button titles), no-break spaces as
    plain spaces."""
    parts = []
    for message in messages:
        parts.append(message.get("text") or "")
        custom = (message.get("custom") or {}).get("data") or {}
        parts.append(custom.get("text") or "")  # advisor messages and notices
        parts.extend(button["title"] for button in message.get("buttons") or [])
    return plain("\n".join(parts))


def payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


class SocketUser:
    """A user on the socket.io channel, like the website widget: the server issues the session id
    on `session_request`, and every message of the session reaches the socket."""

    def __init__(self, url: str, metadata: dict | None = None) -> None:
        import socketio

        self.url = url
        self.metadata = metadata or {}
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.session_id = ""
        self.client.on("bot_uttered", self._received)

    async def _received(self, data: dict) -> None:
        await self.inbox.put(data)

    async def connect(self, session_id: str | None = None) -> SocketUser:
        """Connect and ask for `session_id` (None: a new session); the server says which one."""
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
        # Long-polling only: python-engineio's websocket client needs aiohttp >= 3.10 (Rasa pins 3.9).
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"],
                                  wait_timeout=20)
        await self.client.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(confirmed, 20)
        return self

    async def pending(self) -> None:
        """What the widget does on every (re)connection: ask for the advisor messages it missed."""
        await self.client.emit("pending_request", {})

    async def say(self, text: str, **extra: Any) -> None:
        await self.client.emit(
            "user_uttered",
            {"message": text, "session_id": self.session_id, "metadata": self.metadata, **extra},
        )

    async def receive(self, predicate, timeout: float = 30) -> list[dict]:
        """Messages received until one matches `predicate` (included)."""
        received = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await asyncio.wait_for(self.inbox.get(), max(remaining, 0.01))
            received.append(message)
            if predicate(message):
                return received

    async def silence(self, seconds: float = 3.0) -> list[dict]:
        await asyncio.sleep(seconds)
        found = []
        while not self.inbox.empty():
            found.append(self.inbox.get_nowait())
        return found

    async def close(self) -> None:
        await self.client.disconnect()


@dataclass
class Nginx:
    """Debian's nginx with the configuration of deploy/nginx/, in front of a stack."""

    workdir: Path
    public_port: int
    desk_port: int
    rasa: list[str]
    desk: list[str]
    rates: dict[str, int] = field(default_factory=lambda: {
        "webhook": 5, "socketio": 20, "desk": 10, "login": 20, "connections": 100,
    })
    internal_port: int | None = None  # Rasa's HTTP API across the replicas, for the desk
    process: subprocess.Popen | None = None

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def desk_url(self) -> str:
        return f"http://127.0.0.1:{self.desk_port}"

    def start(self) -> Nginx:
        import importlib.util

        spec = importlib.util.spec_from_file_location("nginx_conf", ROOT / "scripts" / "nginx_conf.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        ensure_free(self.public_port)
        ensure_free(self.desk_port)
        config = module.render(
            self.workdir, rasa=self.rasa, desk=self.desk, public_listen=f"127.0.0.1:{self.public_port}",
            desk_listen=f"127.0.0.1:{self.desk_port}", log_dir=self.workdir, rates=self.rates,
            internal_listen=f"127.0.0.1:{self.internal_port}" if self.internal_port else None,
        )
        log = self.workdir / "nginx.log"
        self.process = subprocess.Popen(
            ["/usr/sbin/nginx", "-c", str(config), "-g", "daemon off;"],
            stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.public_url}/healthz", self.process, log, seconds=20)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
