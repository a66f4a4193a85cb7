"""Load through nginx on 1 and 2 Rasa replicas (PostgreSQL + Redis), in one run, with a tally of
correctness; then a replica killed with SIGKILL in the middle of a run.

    .venv/bin/python bench/load.py [--users 200] [--skip-kill]

Each virtual user is a whole conversation, half over REST, half over socket.io (long-polling:
python-engineio's websocket client needs a newer aiohttp than Rasa's), each from an address of
its own (127.0.x.y) as real users are: two FAQ questions, a 👎 that makes the offer of a human,
« oui », then a message to the advisor and the advisor's answer. A scripted advisor takes every
waiting conversation in the desk's API and writes one message naming the conversation.

Printed per run: turns/s, p50/p95 of a turn (a question to its first answer), and the tally:
accepted user messages missing from their tracker or out of order, answers that reached another
conversation, advisor messages lost or shown twice; RSS of each replica. The 2-replica/1-replica
throughput ratio closes the report. Not part of `make test` (`make bench-load`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test harness starts the servers

from tests.cluster import Cluster  # noqa: E402
from tests.stack import DESK_API_TOKEN, rasa_api_headers  # noqa: E402

QUESTIONS = [
    "comment créer un compte ?",
    "j'ai oublié mon mot de passe, je fais comment",
    "quand est-ce que je serai payé pour ma facture ?",
    "ma facture est au statut a recycler que faire",
    "c koi le cadre de facturation A9",
    "comment déposer une facture sur chorus pro",
]
OPEN_TIME = "2026-12-01T10:00:00+01:00"
RATES = {"webhook": 10_000, "socketio": 10_000, "desk": 10_000, "login": 1000, "connections": 10_000}
ADVISOR_WAIT = 240.0  # seconds a user waits for the advisor's message
POLL_EVERY = 3.0  # seconds between two REST polls for the advisor's messages
ADVISORS = 8  # advisors answering in parallel in the desk


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    accepted: dict[str, list[str]] = field(default_factory=dict)  # sender → texts answered
    crossed: int = 0  # answers or advisor messages meant for another conversation
    advisor_sent: dict[str, int] = field(default_factory=dict)  # sender → advisor message id
    advisor_seen: Counter = field(default_factory=Counter)  # advisor message id → times received
    failed_turns: int = 0  # refused or unanswered (retried)
    other_messages: int = 0  # untimed messages handled: REST polls, the last « merci »
    gave_up: int = 0  # users whose conversation stopped on an error
    started: float = 0.0
    finished: float = 0.0


def address(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def is_advisor(message: dict) -> bool:
    data = (message.get("custom") or {}).get("data") or message
    return (data.get("conseiller") or {}).get("evenement") == "message"


def advisor_fields(message: dict) -> tuple[int, str]:
    data = (message.get("custom") or {}).get("data") or message
    return data["conseiller"]["id"], data.get("text") or ""


# --- A REST user ----------------------------------------------------------------------------------


async def rest_user(index: int, url: str, tally: Tally) -> None:
    sender = f"load-rest-{index}-{uuid.uuid4().hex[:6]}"
    tally.accepted[sender] = []
    connector = aiohttp.TCPConnector(local_addr=(address(index), 0))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http:

        async def say(text: str, timed: bool = True) -> list[dict]:
            for _ in range(5):  # a replica killed under the request: try again
                started = time.perf_counter()
                try:
                    async with http.post(f"{url}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": text}) as response:
                        if response.status == 200:
                            answer = await response.json()
                            if timed:
                                tally.latencies.append(time.perf_counter() - started)
                            else:
                                tally.other_messages += 1
                            tally.accepted[sender].append(text)
                            if any(m.get("recipient_id") != sender for m in answer):
                                tally.crossed += 1
                            return answer
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                tally.failed_turns += 1
                await asyncio.sleep(1)
            return []

        def take_advisor(answer: list[dict]) -> bool:
            found = False
            for message in answer:
                if is_advisor(message):
                    message_id, text = advisor_fields(message)
                    tally.advisor_seen[message_id] += 1
                    tally.crossed += sender not in text
                    found = True
            return found

        await say(QUESTIONS[index % len(QUESTIONS)])
        await say(QUESTIONS[(index + 1) % len(QUESTIONS)])
        await say("/vote_negatif")
        await say("/affirmer")
        deadline = time.monotonic() + ADVISOR_WAIT
        while time.monotonic() < deadline:
            if take_advisor(await say("/relever_messages_conseiller", timed=False)):
                break
            await asyncio.sleep(POLL_EVERY)
        await say("merci beaucoup", timed=False)  # relayed to the advisor: no answer of its own


# --- A socket.io user -------------------------------------------------------------------------------


async def socket_user(index: int, url: str, tally: Tally) -> None:
    import socketio

    inbox: asyncio.Queue[dict] = asyncio.Queue()
    session_id = None

    async def connect() -> tuple[socketio.AsyncClient, aiohttp.ClientSession]:
        nonlocal session_id
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address(index), 0)))
        # A loaded server answers the handshake in more than python-engineio's 5 s default.
        client = socketio.AsyncClient(reconnection=False, http_session=http, request_timeout=60)
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        client.on("bot_uttered", lambda data: inbox.put_nowait(data))
        client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
        await client.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
        await client.emit("session_request", {"session_id": session_id})
        session_id = await asyncio.wait_for(confirmed, 30)
        tally.accepted.setdefault(session_id, [])
        await client.emit("pending_request", {})
        return client, http

    client = http = None

    async def reconnect() -> None:
        nonlocal client, http
        for _ in range(10):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.disconnect()
                await http.close()
            try:
                client, http = await connect()
                return
            except Exception:  # noqa: BLE001 (the replica is gone or busy: try again, maybe elsewhere)
                tally.failed_turns += 1
                await asyncio.sleep(1)
        raise ConnectionError("no socket.io session after 10 tries")

    await reconnect()

    def note(message: dict) -> None:
        if is_advisor(message):
            message_id, text = advisor_fields(message)
            tally.advisor_seen[message_id] += 1
            tally.crossed += session_id not in text

    async def say(text: str, wait: bool = True) -> None:
        for _ in range(5):
            if not client.connected:
                await reconnect()
            started = time.perf_counter()
            try:
                if not wait:  # no answer to wait for: accepted when the server's handler has run
                    await client.call("user_uttered", {"message": text, "session_id": session_id},
                                      timeout=60)
                    tally.accepted[session_id].append(text)
                    tally.other_messages += 1
                    return
                await client.emit("user_uttered", {"message": text, "session_id": session_id})
                while True:
                    message = await asyncio.wait_for(inbox.get(), 60)
                    note(message)
                    if not is_advisor(message):
                        tally.latencies.append(time.perf_counter() - started)
                        tally.accepted[session_id].append(text)
                        await asyncio.sleep(0.3)  # the rest of the answer
                        while not inbox.empty():
                            note(inbox.get_nowait())
                        return
            except (asyncio.TimeoutError, socketio.exceptions.SocketIOError):
                tally.failed_turns += 1
                await reconnect()

    try:
        await say(QUESTIONS[index % len(QUESTIONS)])
        await say(QUESTIONS[(index + 1) % len(QUESTIONS)])
        await say("/vote_negatif")
        await say("/affirmer")
        deadline = time.monotonic() + ADVISOR_WAIT
        while time.monotonic() < deadline and not any(
            tally.advisor_sent.get(session_id) == mid for mid in tally.advisor_seen
        ):
            try:
                note(await asyncio.wait_for(inbox.get(), 2))
            except asyncio.TimeoutError:
                if not client.connected:
                    await reconnect()
        await say("merci beaucoup", wait=False)
        await asyncio.sleep(1)
    finally:
        with contextlib.suppress(Exception):
            await client.disconnect()
        if http is not None:
            await http.close()


# --- The advisor --------------------------------------------------------------------------------------


async def advisor(desk_url: str, tally: Tally, stop: asyncio.Event) -> None:
    """ADVISORS advisors of the same desk: each waiting conversation is taken by one of them."""
    headers = {"Authorization": f"Bearer {DESK_API_TOKEN}", "X-Conseiller": "demo"}
    busy: set[int] = set()
    seats = asyncio.Semaphore(ADVISORS)

    async def answer(http: aiohttp.ClientSession, handoff: dict) -> None:
        conversation = handoff["conversation_id"]
        async with seats:
            try:  # the same client_id on a retry: the desk stores the message once
                await http.post(f"{desk_url}/api/handoffs/{handoff['id']}/take", json={})
                async with http.post(
                    f"{desk_url}/api/handoffs/{handoff['id']}/messages",
                    json={"text": f"Bonjour {conversation}, je regarde votre dossier.",
                          "client_id": f"load-{handoff['id']}"},
                ) as sent:
                    if sent.status == 201:
                        tally.advisor_sent[conversation] = (await sent.json())["message"]["id"]
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError):
                pass
            finally:
                busy.discard(handoff["id"])

    async with aiohttp.ClientSession(headers=headers, timeout=aiohttp.ClientTimeout(total=60)) as http:
        tasks: set[asyncio.Task] = set()
        while not stop.is_set():
            try:
                async with http.get(f"{desk_url}/api/handoffs?status=en_attente") as response:
                    waiting = (await response.json())["handoffs"]
                for handoff in waiting:
                    # Only this run's conversations: a shared database may hold other handoffs.
                    if handoff["id"] not in busy and handoff["conversation_id"] in tally.accepted:
                        busy.add(handoff["id"])
                        task = asyncio.create_task(answer(http, handoff))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError):
                pass
            await asyncio.sleep(0.5)
        await asyncio.gather(*tasks)


# --- One run -------------------------------------------------------------------------------------------


async def run(cluster: Cluster, users: int, kill_at: float | None = None) -> Tally:
    tally = Tally()
    stop = asyncio.Event()
    desk = asyncio.create_task(advisor(cluster.replica(0).desk_url, tally, stop))
    tally.started = time.perf_counter()
    tasks = [
        asyncio.create_task((rest_user if i % 2 else socket_user)(i, cluster.public_url, tally))
        for i in range(users)
    ]
    if kill_at is not None:
        expected = users * 4
        while len(tally.latencies) < expected * kill_at and not all(t.done() for t in tasks):
            await asyncio.sleep(0.2)
        print(f"  kill -9 replica 1 after {len(tally.latencies)} turns", flush=True)
        cluster.replica(1).kill("rasa")
    results = await asyncio.gather(*tasks, return_exceptions=True)
    tally.finished = time.perf_counter()
    stop.set()
    await desk
    errors = Counter(f"{type(r).__name__}: {r}" for r in results if isinstance(r, Exception))
    tally.gave_up = sum(errors.values())
    for error, count in errors.most_common():
        print(f"  {count} users stopped on {error}", flush=True)
    return tally


async def check_trackers(cluster: Cluster, tally: Tally) -> tuple[int, int]:
    """(accepted messages missing or out of order in their tracker, conversations checked)."""
    missing = 0
    survivor = next(s for s in cluster.stacks if "rasa" in s._processes)
    async with aiohttp.ClientSession(headers=rasa_api_headers()) as http:
        for sender, texts in tally.accepted.items():
            async with http.get(f"{survivor.rasa_url}/conversations/{sender}/tracker") as response:
                events = (await response.json()).get("events") or []
            stored = iter(e.get("text") for e in events if e.get("event") == "user")
            for text in texts:  # in order: each accepted text found after the previous one
                if not any(candidate == text for candidate in stored):
                    missing += 1
                    break
    return missing, len(tally.accepted)


def report(name: str, cluster: Cluster, tally: Tally, missing: int, checked: int) -> float:
    seconds = tally.finished - tally.started
    rate = len(tally.latencies) / seconds
    ms = sorted(1000 * t for t in tally.latencies)
    p95 = ms[int(0.95 * (len(ms) - 1))] if ms else float("nan")
    lost = sum(1 for mid in tally.advisor_sent.values() if tally.advisor_seen[mid] == 0)
    twice = sum(1 for mid in tally.advisor_sent.values() if tally.advisor_seen[mid] > 1)
    rss = ", ".join(f"{s.rss_mb():.0f} MB" for s in cluster.stacks if "rasa" in s._processes)
    print(f"{name}: {len(tally.latencies)} timed turns in {seconds:.0f} s = {rate:.1f} turns/s "
          f"({(len(tally.latencies) + tally.other_messages) / seconds:.1f} messages/s with the polls); "
          f"turn p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms; retried {tally.failed_turns}")
    print(f"  tally: users who gave up {tally.gave_up}; "
          f"accepted messages lost or out of order {missing} (of {checked} conversations); "
          f"answers crossed {tally.crossed}; advisor messages sent {len(tally.advisor_sent)}, "
          f"lost {lost}, shown twice {twice}; conversations no advisor answered before their user "
          f"stopped waiting ({ADVISOR_WAIT:.0f} s) {len(tally.accepted) - len(tally.advisor_sent)}")
    print(f"  RSS per replica: {rss}", flush=True)
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--port-base", type=int, default=19100)
    parser.add_argument("--skip-kill", action="store_true")
    args = parser.parse_args()
    rates: dict[str, float] = {}
    plans = [("1 replica", 1, None), ("2 replicas", 2, None)]
    if not args.skip_kill:
        plans.append(("2 replicas, one killed mid-run", 2, 0.4))
    for name, replicas, kill_at in plans:
        with tempfile.TemporaryDirectory() as workdir:
            cluster = Cluster(
                workdir=Path(workdir), replicas=replicas, port_base=args.port_base,
                extra_env={"ASSISTANT_NOW": OPEN_TIME, "DESK_SWEEP_SECONDS": "5"}, rates=RATES,
            )
            started = time.perf_counter()
            cluster.start()
            print(f"{name}: servers up in {time.perf_counter() - started:.0f} s", flush=True)
            try:
                tally = asyncio.run(run(cluster, args.users, kill_at))
                missing, checked = asyncio.run(check_trackers(cluster, tally))
                rates[name] = report(name, cluster, tally, missing, checked)
            finally:
                cluster.stop()
    if "1 replica" in rates and "2 replicas" in rates:
        print(f"throughput 2 replicas / 1 replica = {rates['2 replicas'] / rates['1 replica']:.2f} "
              "(2 cores: both replicas, the action server, the desk, nginx and this load generator "
              "share them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
