"""Two Rasa replicas behind nginx on PostgreSQL + Redis: any replica serves any conversation,
nothing is lost or crossed, and advisor messages reach their user exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.cluster import Cluster
from tests.integration.conftest import OPEN_TIME
from tests.stack import DESK_API_TOKEN, SocketUser, Stack, texts, workdir

_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))


@pytest.fixture(scope="module")
def cluster():
    running = Cluster(
        workdir=workdir("integration-cluster"), replicas=2, port_base=_BASE + 900,
        extra_env={"ASSISTANT_NOW": OPEN_TIME}, desk_rasa=1,
        rates={"webhook": 1000, "socketio": 1000, "desk": 1000, "login": 100, "connections": 1000},
    ).start()
    yield running
    running.stop()


def desk_api(cluster: Cluster, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{cluster.replica(0).desk_url}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {DESK_API_TOKEN}", "X-Conseiller": "demo",
                 "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def handoff_id(cluster: Cluster, sender: str) -> int:
    found = desk_api(cluster, "GET", f"/api/handoffs?conversation_id={sender}")["handoffs"]
    assert len(found) == 1, found
    return found[0]["id"]


def advisor_message(message: dict) -> bool:
    return (message.get("conseiller") or {}).get("evenement") == "message"


async def in_live_chat(user: SocketUser) -> None:
    await user.say("je veux parler à un conseiller")
    await user.receive(lambda m: "/affirmer" in json.dumps(m))
    await user.say("/affirmer")
    await user.receive(lambda m: (m.get("conseiller") or {}).get("evenement") == "attente")


async def test_a_socket_on_one_replica_gets_the_advisor_message_triggered_through_the_other(cluster):
    user = await SocketUser(cluster.replica(0).rasa_url).connect()  # held by replica 0
    try:
        await in_live_chat(user)
        handoff = handoff_id(cluster, user.session_id)
        await asyncio.to_thread(desk_api, cluster, "POST", f"/api/handoffs/{handoff}/take", {})
        sent = await asyncio.to_thread(desk_api, cluster, "POST", f"/api/handoffs/{handoff}/messages",
                                       {"text": "Bonjour, je regarde.", "client_id": "cluster-0001"})
        assert sent["notified"] is True  # the desk woke the conversation through replica 1
        [message] = [m for m in await user.receive(advisor_message) if advisor_message(m)]
        assert message["text"] == "Bonjour, je regarde."
        await asyncio.sleep(1)  # the acknowledgement travels back through Redis
        detail = desk_api(cluster, "GET", f"/api/handoffs/{handoff}")
        assert [m["delivered"] for m in detail["messages"] if m["author"] == "conseiller"] == [True]
    finally:
        await user.close()


async def test_a_dropped_socket_gets_its_pending_advisor_messages_once_on_reconnection(cluster):
    user = await SocketUser(cluster.public_url).connect()
    await in_live_chat(user)
    session_id = user.session_id
    handoff = handoff_id(cluster, session_id)
    await asyncio.to_thread(desk_api, cluster, "POST", f"/api/handoffs/{handoff}/take", {})
    await user.receive(lambda m: (m.get("conseiller") or {}).get("evenement") == "rejoint")
    await user.close()  # the user's connection drops
    for index, text in enumerate(["Vous êtes là ?", "Je reste disponible."]):
        await asyncio.to_thread(desk_api, cluster, "POST", f"/api/handoffs/{handoff}/messages",
                                {"text": text, "client_id": f"pending-{index:04d}"})
    back = await SocketUser(cluster.public_url).connect(session_id)
    try:
        assert back.session_id == session_id
        await back.pending()
        received = [m for m in await back.receive(lambda m: m.get("text") == "Je reste disponible.")
                    if advisor_message(m)]
        assert [m["text"] for m in received] == ["Vous êtes là ?", "Je reste disponible."]
        await asyncio.sleep(1)
        await back.pending()  # acknowledged: not sent again
        assert [m for m in await back.silence(2) if advisor_message(m)] == []
    finally:
        await back.close()


def say(stack: Stack, sender: str, text: str) -> list[dict]:
    return stack.say(sender, text)


def test_two_replicas_given_one_conversation_at_once_serialise(cluster, sender):
    a, b = cluster.replica(0), cluster.replica(1)
    questions = [f"comment créer un compte ? ({i})" for i in range(12)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda iq: say((a, b)[iq[0] % 2], sender, iq[1]), enumerate(questions)))
    unanswered = [q for q, answer in zip(questions, answers, strict=True) if not texts(answer).strip()]
    assert unanswered == []
    events = a.tracker(sender)["events"]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(questions)  # none lost, none twice
    # Serialised: after each user message, its answer, before the next user message.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    turns = "".join("u" if k == "user" else "b" for k in kinds)
    assert "uu" not in turns and turns.count("u") == len(questions)


def test_each_replica_sees_what_the_other_just_wrote(cluster, sender):
    a, b = cluster.replica(0), cluster.replica(1)
    for turn in range(6):
        replica = (a, b)[turn % 2]
        texts(replica.say(sender, f"bonjour {turn}"))
        other = (b, a)[turn % 2]
        users = [e["text"] for e in other.tracker(sender)["events"] if e["event"] == "user"]
        assert users[-1] == f"bonjour {turn}" and len(users) == turn + 1
    # The misunderstanding counter crosses replicas: the second nonsense makes the offer.
    a.say(sender, "qsdkjfh qlskdjf")
    assert "conseiller" in texts(b.say(sender, "blorg fizzle wobble"))
