"""REST latency of the running assistant: /model/parse versus a full webhook turn, and against
Rasa's stock pipeline parsing the same questions.

Starts its own action server + Rasa server (SQLite, loopback), and a bare Rasa server that only
parses with a model of Rasa's stock pipeline (bench/configs/stock.yml) trained on our data —
one epoch is enough for timing, the graph is the same (results/models/stock-timing.tar.gz, made
once). Warms up, then sends 200 held-out FAQ questions, one client at a time, each to the stock
parse, our parse and our webhook, back to back: on a noisy machine the three series see the same
load, and the ratios of their medians stay meaningful.

    .venv/bin/python bench/latency.py [--n 200] [--stock-model M] [--no-stock]

Bars: our turn p50 <= the stock parse p50; our turn p50 < 1.5 x our parse p50.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test harness (tests/stack.py) starts the servers

from tests.stack import BASE_ENV, BIN, Stack, http, rasa_api_headers, wait_for  # noqa: E402

STOCK_TIMING_MODEL = ROOT / "results" / "models" / "stock-timing.tar.gz"


def stock_model_for_timing() -> Path:
    """Rasa's stock pipeline trained on our data for one epoch (timing only), made once."""
    if STOCK_TIMING_MODEL.exists():
        return STOCK_TIMING_MODEL
    STOCK_TIMING_MODEL.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir) / "stock-1-epoch.yml"
        text = (ROOT / "bench" / "configs" / "stock.yml").read_text(encoding="utf-8")
        config.write_text(text.replace("epochs: 100", "epochs: 1"), encoding="utf-8")
        print("Training Rasa's stock pipeline on our data (one epoch, for timing)…", flush=True)
        subprocess.run(
            [str(BIN / "rasa"), "train", "nlu", "--config", str(config), "--nlu", "data/nlu",
             "--out", str(STOCK_TIMING_MODEL.parent), "--fixed-model-name", "stock-timing"],
            cwd=ROOT, env={**os.environ, **BASE_ENV}, check=True, stdout=subprocess.DEVNULL,
        )
    return STOCK_TIMING_MODEL


def start_stock(model: Path, port: int, workdir: Path) -> subprocess.Popen:
    """A bare Rasa server (no endpoints, loopback, no other use) that only parses."""
    endpoints = workdir / "endpoints-none.yml"
    endpoints.write_text("{}\n")
    log = workdir / "stock.log"
    process = subprocess.Popen(
        [str(BIN / "rasa"), "run", "-m", str(model), "--enable-api", "-i", "127.0.0.1",
         "--port", str(port), "--endpoints", str(endpoints)],
        cwd=ROOT, env={**os.environ, **BASE_ENV}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/", process, log)
    return process


def questions(n: int) -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "tests" / "nlu" / "test_nlu.yml"))
    faq = [m.get("text") for m in data.intent_examples if m.get("intent") == "faq"]
    return [faq[i % len(faq)] for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--port-base", type=int, default=19000)
    parser.add_argument("--stock-model", type=Path, help="a stock model to parse with (default: made)")
    parser.add_argument("--no-stock", action="store_true", help="our parse and turn only")
    args = parser.parse_args()
    stock_model = None if args.no_stock else (args.stock_model or stock_model_for_timing())

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(
            name="bench", workdir=Path(workdir), rasa_port=args.port_base + 5,
            actions_port=args.port_base + 55,
        )
        started = time.perf_counter()
        stack.start()
        print(f"Servers up in {time.perf_counter() - started:.1f} s")
        stock = start_stock(stock_model, args.port_base + 6, Path(workdir)) if stock_model else None
        stock_url = f"http://127.0.0.1:{args.port_base + 6}/model/parse"
        try:
            texts = questions(args.n)
            parse_url = f"{stack.rasa_url}/model/parse"
            auth = rasa_api_headers()
            for text in texts[:20]:  # warm-up
                http("POST", parse_url, {"text": text}, headers=auth)
                if stock:
                    http("POST", stock_url, {"text": text})
                stack.say(f"warmup-{uuid.uuid4().hex[:6]}", text)
            # Conversations of ten questions, like a user asking a few things in a row.
            senders = [f"bench-{i // 10}-{uuid.uuid4().hex[:6]}" for i in range(len(texts))]
            for i in range(0, len(senders), 10):
                senders[i : i + 10] = [senders[i]] * len(senders[i : i + 10])
            parse, turns, stock_parse = [], [], []
            for sender, text in zip(senders, texts, strict=True):
                if stock:
                    stock_parse.append(timed(lambda t=text: http("POST", stock_url, {"text": t})))
                parse.append(timed(lambda t=text: http("POST", parse_url, {"text": t}, headers=auth)))
                turns.append(timed(lambda s=sender, t=text: stack.say(s, t)))
        finally:
            stack.stop()
            if stock:
                stock.terminate()
                stock.wait(30)

    series = [("/model/parse", parse), ("webhook turn", turns)]
    if stock_parse:
        series.append(("stock parse", stock_parse))
    for name, values in series:
        print(
            f"{name:<14} n={len(values)}  p50 {statistics.median(values):7.1f} ms"
            f"  p95 {percentile(values, 95):7.1f} ms"
        )
    ratio = statistics.median(turns) / statistics.median(parse)
    print(f"full turn p50 / parse p50 = {ratio:.2f}  (bar: < 1.5)")
    paired = statistics.median(t / p for t, p in zip(turns, parse, strict=True))
    print(f"median of per-question turn/parse = {paired:.2f}")
    if stock_parse:
        print(f"our parse p50 / stock parse p50 = "
              f"{statistics.median(parse) / statistics.median(stock_parse):.2f}; "
              f"our turn p50 / stock parse p50 = "
              f"{statistics.median(turns) / statistics.median(stock_parse):.2f}  (bar: <= 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
