"""Through nginx (deploy/nginx/), only the public doors are public: the REST webhook, socket.io
and the desk. Rasa's HTTP API and the action server answer 404 there; requests are bounded,
rate-limited per client, and every response carries the security headers."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.stack import JWT_SECRET, Nginx, SocketUser, rasa_api_headers, texts, workdir

_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))
PUBLIC_PORT, DESK_PUBLIC_PORT = _BASE + 800, _BASE + 801


@pytest.fixture(scope="module")
def proxy(stack):
    if stack.backend != "sqlite":
        pytest.skip("the proxy does not depend on the storage backend: one run is enough")
    stack.start_desk()
    nginx = Nginx(
        workdir=workdir("integration-nginx"), public_port=PUBLIC_PORT, desk_port=DESK_PUBLIC_PORT,
        rasa=[f"127.0.0.1:{stack.rasa_port}"], desk=[f"127.0.0.1:{stack.desk_port}"],
    ).start()
    yield nginx
    nginx.stop()
    stack.stop("desk")


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request, errors included."""
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_a_rest_user_is_answered_through_the_proxy(proxy, sender):
    body = json.dumps({"sender": sender, "message": "comment créer un compte ?"}).encode()
    status, headers, answer = request(f"{proxy.public_url}/webhooks/rest/webhook", "POST", body)
    assert status == 200 and "compte" in texts(json.loads(answer))
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_a_socketio_user_is_answered_through_the_proxy(proxy):
    user = await SocketUser(proxy.public_url).connect()
    try:
        await user.say("bonjour")
        [hello] = await user.receive(lambda m: bool(m.get("text")))
        assert hello["text"]
    finally:
        await user.close()


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/conversations/x/tracker"),
    ("POST", "/conversations/x/trigger_intent"),
    ("GET", "/status"),
    ("GET", "/version"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("GET", "/domain"),
    ("POST", "/webhook"),  # the action server's route
    ("GET", "/actions"),
    ("GET", "/health"),
    ("GET", "/webhooks/rest/"),
    ("GET", "/webhooks/rest/webhook"),
])
def test_rasa_api_and_action_server_are_not_reachable_from_the_proxy(proxy, method, path):
    # Even with a valid JWT: the proxy is not the way to the private API.
    status, headers, _ = request(f"{proxy.public_url}{path}", method, b"{}", rasa_api_headers())
    assert status in (403, 404), (path, status)
    assert headers["X-Content-Type-Options"] == "nosniff"  # errors carry the headers too


def test_the_desk_is_served_on_its_own_door(proxy):
    status, headers, page = request(f"{proxy.desk_url}/connexion")
    assert status == 200 and "Mot de passe" in page.decode()
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, _, _ = request(f"{proxy.desk_url}/api/handoffs")
    assert status == 401  # the desk's own authentication still applies
    status, _, _ = request(f"{proxy.desk_url}/webhooks/rest/webhook", "POST", b"{}")
    assert status in (401, 404)  # the desk door does not lead to Rasa


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxy, sender):
    body = json.dumps({"sender": sender, "message": "x" * 100_000}).encode()
    status, _, _ = request(f"{proxy.public_url}/webhooks/rest/webhook", "POST", body)
    assert status == 413


def test_one_client_sending_too_fast_is_slowed_down(proxy, sender):
    body = json.dumps({"sender": sender, "message": "bonjour"}).encode()

    def send(_):
        return request(f"{proxy.public_url}/webhooks/rest/webhook", "POST", body)[0]

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(send, range(40)))
    assert 429 in statuses and 200 in statuses


def test_rasa_api_wants_a_jwt_even_on_the_private_side(stack):
    status, _, _ = request(f"{stack.rasa_url}/conversations/x/tracker")
    assert status == 401
    status, _, _ = request(f"{stack.rasa_url}/conversations/x/tracker?token={JWT_SECRET}")
    assert status == 401  # the secret is not a URL token
    status, _, _ = request(f"{stack.rasa_url}/status", headers=rasa_api_headers())
    assert status == 200


def test_the_action_server_wants_its_token(stack):
    status, _, _ = request(f"{stack.actions_url}/webhook", "POST", b"{}")
    assert status == 401
    status, _, _ = request(f"{stack.actions_url}/actions")
    assert status == 401
    assert request(f"{stack.actions_url}/health")[0] == 200
