"""Where a REST turn spends its time, in process: Rasa's Agent with our model, endpoints and
tracker store (SQLite), the same FAQ questions as bench/latency.py, under cProfile.

    .venv/bin/python bench/profile_turn.py [--n 200] [--top 25]

Prints the median time of a whole turn (Agent.handle_message, the REST channel aside), of the
NLU parse alone, and the functions with the most cumulative time. The first turn of each
conversation calls the action server (action_session_start): this profile starts one of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test harness (tests/stack.py) starts the action server

from bench.latency import questions  # noqa: E402
from tests.stack import Stack  # noqa: E402


async def profile(n: int, top: int, workdir: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints

    agent = Agent.load(str(ROOT / "models" / "claudia.tar.gz"),
                       endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))
    texts = questions(n)
    senders = [f"profile-{i // 10}-{uuid.uuid4().hex[:6]}" for i in range(n)]
    for i in range(0, n, 10):
        senders[i : i + 10] = [senders[i]] * len(senders[i : i + 10])
    for text in texts[:20]:  # warm-up
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), f"warm-{uuid.uuid4().hex}"))
    parse, turns = [], []
    profiler = cProfile.Profile()
    for sender, text in zip(senders, texts, strict=True):
        started = time.perf_counter()
        await agent.parse_message(text)
        parse.append(time.perf_counter() - started)
        started = time.perf_counter()
        profiler.enable()
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
        profiler.disable()
        turns.append(time.perf_counter() - started)
    print(f"turn p50 {1000 * statistics.median(turns):.1f} ms (in process, no HTTP); "
          f"parse p50 {1000 * statistics.median(parse):.1f} ms")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--port", type=int, default=19155)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(name="profile", workdir=Path(workdir), rasa_port=args.port - 50, actions_port=args.port)
        stack.start_actions()
        os.environ.update({k: v for k, v in stack.env().items() if k not in os.environ or k in (
            "ACTION_ENDPOINT_URL", "TRACKER_DB", "DATABASE_URL", "ACTION_SERVER_TOKEN")})
        try:
            asyncio.run(profile(args.n, args.top, Path(workdir)))
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
