"""Held-out NLU evaluation: intent accuracy, FAQ topic accuracy, out-of-scope handling.

Parses every example of tests/nlu/test_nlu.yml (never used in training) and the nonsense
lines with the trained model, then prints the figures. `--check` exits non-zero below the bars.
`--sweep` shows what other fallback thresholds would give here, for information only: the
thresholds of config.yml come from the cross-validation sweep of bench/nlu_compare.py, never
from this held-out set.

    .venv/bin/python bench/nlu_eval.py [--model models/claudia.tar.gz] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
# The goals of the NLU (issue « Understand more French… »), which the linear pipeline reaches.
BARS = {"intent_accuracy": 0.95, "faq_topic_accuracy": 0.94, "out_of_scope_rate": 0.90}
OUT_OF_SCOPE = {"hors_perimetre", "nlu_fallback"}
sys.path.insert(0, str(ROOT))  # components/ (custom spaCy loader) and actions/ (settings)


async def evaluate(model: Path, test_file: Path, nonsense_file: Path) -> dict:
    import logging

    import structlog
    from rasa.core.agent import Agent

    # One debug line per parsed message otherwise: keep the output to the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    examples = [
        (m.get("text"), m.get("intent"), m.get_full_intent())
        for m in load_data(str(test_file)).intent_examples
    ]
    nonsense = [line.strip() for line in nonsense_file.read_text().splitlines() if line.strip()]

    timings, errors, raw = [], [], []
    intent_ok = faq_total = faq_ok = oos_total = oos_ok = 0
    for text, intent, full_intent in examples:
        start = time.perf_counter()
        parsed = await agent.parse_message(text)
        timings.append(time.perf_counter() - start)
        raw.append((intent, full_intent, parsed))
        predicted = parsed["intent"]["name"]
        response = (parsed.get("response_selector", {}).get("faq", {}) or {}).get("response", {})
        predicted_full = response.get("intent_response_key") if predicted == "faq" else predicted
        good_intent = predicted == intent or (
            intent == "hors_perimetre" and predicted in OUT_OF_SCOPE
        )
        intent_ok += good_intent
        if intent == "faq":
            faq_total += 1
            faq_ok += predicted_full == full_intent
        if intent == "hors_perimetre":
            oos_total += 1
            oos_ok += predicted in OUT_OF_SCOPE
        if predicted_full != full_intent and not (good_intent and intent == "hors_perimetre"):
            errors.append((full_intent, predicted_full, text))
    nonsense_ok = 0
    for text in nonsense:
        parsed = await agent.parse_message(text)
        raw.append(("hors_perimetre", "hors_perimetre", parsed))
        nonsense_ok += parsed["intent"]["name"] in OUT_OF_SCOPE
        if parsed["intent"]["name"] not in OUT_OF_SCOPE:
            errors.append(("hors_perimetre (nonsense)", parsed["intent"]["name"], text))
    return {
        "examples": len(examples),
        "intent_accuracy": intent_ok / len(examples),
        "faq_topic_accuracy": faq_ok / faq_total,
        "faq_examples": faq_total,
        "out_of_scope_rate": (oos_ok + nonsense_ok) / (oos_total + len(nonsense)),
        "out_of_scope_test_set_rate": oos_ok / oos_total,
        "nonsense_rate": nonsense_ok / len(nonsense) if nonsense else None,
        "parse_ms_median": 1000 * statistics.median(timings),
        "errors": errors,
        "confusions": Counter((t, p) for t, p, _ in errors).most_common(10),
        "sweep": sweep(raw),
    }


def sweep(raw: list) -> list[dict]:
    """The three figures for other fallback thresholds, recomputed from the raw parses:
    intent threshold (FallbackClassifier) x answer threshold (FaqConfidenceFallback)."""
    rows = []
    for intent_threshold in (0.3, 0.4, 0.45, 0.5, 0.6, 0.7):
        for answer_threshold in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
            ok = faq = faq_ok = oos = oos_ok = 0
            for intent, full_intent, parsed in raw:
                ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
                top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}
                response = (parsed.get("response_selector", {}).get("faq", {}) or {}).get("response", {})
                predicted = top["name"]
                if top["confidence"] < intent_threshold or (
                    predicted == "faq" and float(response.get("confidence") or 0) < answer_threshold
                ):
                    predicted = "nlu_fallback"
                full = response.get("intent_response_key") if predicted == "faq" else predicted
                if intent == "hors_perimetre":
                    oos += 1
                    oos_ok += predicted in OUT_OF_SCOPE
                    ok += predicted in OUT_OF_SCOPE
                else:
                    ok += predicted == intent
                if intent == "faq":
                    faq += 1
                    faq_ok += full == full_intent
            rows.append({
                "intent_threshold": intent_threshold, "answer_threshold": answer_threshold,
                "intent_accuracy": ok / len(raw), "faq_topic_accuracy": faq_ok / faq,
                "out_of_scope_rate": oos_ok / oos,
            })
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "claudia.tar.gz")
    parser.add_argument("--test-file", type=Path, default=ROOT / "tests" / "nlu" / "test_nlu.yml")
    parser.add_argument(
        "--nonsense", type=Path, default=ROOT / "tests" / "nlu" / "hors_perimetre_nonsense.txt"
    )
    parser.add_argument("--check", action="store_true", help="fail below the quality bars")
    parser.add_argument("--sweep", action="store_true", help="print other fallback thresholds")
    parser.add_argument("--json", type=Path, default=ROOT / "results" / "nlu_eval.json")
    args = parser.parse_args()

    result = asyncio.run(evaluate(args.model, args.test_file, args.nonsense))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    size_mb = args.model.stat().st_size / 1e6
    train_file = args.model.with_suffix("").with_suffix(".train_seconds")
    train_s = train_file.read_text().strip() if train_file.exists() else "unknown"
    print(f"Held-out set: {result['examples']} examples ({result['faq_examples']} FAQ)")
    for name, bar in BARS.items():
        print(f"  {name:<22} {result[name]:.3f}   (bar {bar:.2f})")
    print(f"  out-of-scope, test set only {result['out_of_scope_test_set_rate']:.3f}; "
          f"nonsense only {result['nonsense_rate']:.3f}")
    print(f"  median parse time in process {result['parse_ms_median']:.1f} ms")
    print(f"Model: {size_mb:.1f} MB; last training took {train_s} s on {os.cpu_count()} cores")
    print("Most frequent confusions (truth -> predicted):")
    for (truth, predicted), count in result["confusions"]:
        print(f"  {count} x {truth} -> {predicted}")
    if args.sweep:
        print("Fallback thresholds (intent x answer) -> intent acc, FAQ acc, out-of-scope rate:")
        for row in result["sweep"]:
            print(f"  {row['intent_threshold']:.2f} x {row['answer_threshold']:.2f} -> "
                  f"{row['intent_accuracy']:.3f} {row['faq_topic_accuracy']:.3f} "
                  f"{row['out_of_scope_rate']:.3f}")
    failed = [name for name, bar in BARS.items() if result[name] < bar]
    if args.check and failed:
        print(f"FAILED quality bars: {', '.join(failed)} (details in {args.json})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
