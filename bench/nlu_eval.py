"""Held-out NLU evaluation: intent accuracy, FAQ topic accuracy, out-of-scope handling.

Parses every example of tests/nlu/test_nlu.yml (never used in training) and the nonsense
lines with the trained model, then prints the figures. `--check` exits non-zero below the bars.
`--sweep` shows what other fallback thresholds would give here, for information only: the
thresholds of config.yml come from the cross-validation sweep of bench/nlu_compare.py, never
from this held-out set.

    .venv/bin/python bench/nlu_eval.py [--model models/claudia.tar.gz] [--check]

The trainers' workbench (assistance/training/retrain.py) runs it as the NLU gate of a new model:
on several held-out files (`--test-file` repeated), with the accuracy of every intent and FAQ
topic, the confusion matrix (`--confusion-png`), the sentences just taught (`--probes`), and the
figures of the running model (`--before`): a bar the running model itself misses asks the new
one not to do worse than it, within a point (see `gate`).
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
# Where the running model already misses a bar, a new one may lose at most this much: one point,
# a few examples, within what two trainings on the same data differ by.
REGRESSION_TOLERANCE = 0.01
OUT_OF_SCOPE = {"hors_perimetre", "nlu_fallback"}
sys.path.insert(0, str(ROOT))  # components/ (custom spaCy loader) and actions/ (settings)


def load_agent(model: Path):
    import logging

    import structlog
    from rasa.core.agent import Agent

    # One debug line per parsed message otherwise: keep the output to the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return Agent.load(str(model))


def predicted_full(parsed: dict) -> str | None:
    """The predicted intent, with the FAQ topic (faq/<topic>) for FAQ questions."""
    predicted = parsed["intent"]["name"]
    response = (parsed.get("response_selector", {}).get("faq", {}) or {}).get("response", {})
    return response.get("intent_response_key") if predicted == "faq" else predicted


def understood(truth: str, predicted: str | None) -> bool:
    """Right answer for `truth` (a full intent): out of scope may also end in the fallback."""
    return predicted == truth or (truth == "hors_perimetre" and predicted in OUT_OF_SCOPE)


async def evaluate(model: Path, test_file: Path, nonsense_file: Path | None, agent=None) -> dict:
    from rasa.shared.nlu.training_data.loading import load_data

    agent = agent or load_agent(model)
    examples = [
        (m.get("text"), m.get("intent"), m.get_full_intent())
        for m in load_data(str(test_file)).intent_examples
    ]
    nonsense = []
    if nonsense_file is not None:
        nonsense = [line.strip() for line in nonsense_file.read_text().splitlines() if line.strip()]

    timings, errors, raw = [], [], []
    intent_ok = faq_total = faq_ok = oos_total = oos_ok = 0
    for text, intent, full_intent in examples:
        start = time.perf_counter()
        parsed = await agent.parse_message(text)
        timings.append(time.perf_counter() - start)
        raw.append((intent, full_intent, parsed))
        predicted = parsed["intent"]["name"]
        predicted_topic = predicted_full(parsed)
        good_intent = predicted == intent or (
            intent == "hors_perimetre" and predicted in OUT_OF_SCOPE
        )
        intent_ok += good_intent
        if intent == "faq":
            faq_total += 1
            faq_ok += predicted_topic == full_intent
        if intent == "hors_perimetre":
            oos_total += 1
            oos_ok += predicted in OUT_OF_SCOPE
        if predicted_topic != full_intent and not (good_intent and intent == "hors_perimetre"):
            errors.append((full_intent, predicted_topic, text))
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
        "out_of_scope_test_set_rate": oos_ok / oos_total if oos_total else None,
        "nonsense_rate": nonsense_ok / len(nonsense) if nonsense else None,
        "parse_ms_median": 1000 * statistics.median(timings),
        "errors": errors,
        "confusions": Counter((t, p) for t, p, _ in errors).most_common(10),
        "per_intent": per_intent(raw),
        "confusion": confusion(raw),
        "sweep": sweep(raw),
    }


def per_intent(raw: list) -> dict[str, dict]:
    """Accuracy of every intent and FAQ topic: {full intent: {total, correct, accuracy}}."""
    counts: dict[str, list[int]] = {}
    for _, full_intent, parsed in raw:
        entry = counts.setdefault(full_intent, [0, 0])
        entry[0] += 1
        entry[1] += understood(full_intent, predicted_full(parsed))
    return {
        name: {"total": total, "correct": correct, "accuracy": correct / total}
        for name, (total, correct) in sorted(counts.items())
    }


def confusion(raw: list) -> dict[str, dict[str, int]]:
    """truth → predicted → count; an out-of-scope sentence that fell back counts as understood."""
    matrix: dict[str, dict[str, int]] = {}
    for _, full_intent, parsed in raw:
        predicted = predicted_full(parsed)
        if understood(full_intent, predicted):
            predicted = full_intent
        row = matrix.setdefault(full_intent, {})
        row[str(predicted)] = row.get(str(predicted), 0) + 1
    return matrix


async def probe(agent, probes: list[dict]) -> list[dict]:
    """Is each sentence just taught understood now? [{text, intent}] → with predicted, confidence."""
    found = []
    for entry in probes:
        parsed = await agent.parse_message(entry["text"])
        predicted = predicted_full(parsed)
        response = (parsed.get("response_selector", {}).get("faq", {}) or {}).get("response", {})
        confidence = parsed["intent"].get("confidence")
        if parsed["intent"]["name"] == "faq" and response.get("confidence") is not None:
            confidence = min(confidence, response["confidence"])
        found.append({**entry, "predicted": predicted, "confidence": confidence,
                      "understood": understood(entry["intent"], predicted)})
    return found


async def evaluate_sets(model: Path, test_files: list[Path], nonsense_file: Path | None,
                        probes: list[dict] | None = None) -> dict:
    """Every held-out file with one model load; the nonsense lines count with the first file."""
    agent = load_agent(model)
    sets = {}
    for index, test_file in enumerate(test_files):
        sets[test_file.name] = await evaluate(
            model, test_file, nonsense_file if index == 0 else None, agent=agent
        )
    return {"sets": sets, "probes": await probe(agent, probes or [])}


def gate(sets: dict[str, dict], before: dict[str, dict] | None = None) -> dict:
    """Every bar on every held-out file. Where the running model (`before`) itself is below a
    bar, the new model must instead not fall more than REGRESSION_TOLERANCE below it: the gate
    stops regressions, without blocking every model until a figure already short is mended."""
    checks = []
    for name, result in sets.items():
        for figure, bar in BARS.items():
            value = result[figure]
            previous = ((before or {}).get(name) or {}).get(figure)
            rule, required = "barre", bar
            if previous is not None and previous < bar:
                rule, required = "non_regression", previous - REGRESSION_TOLERANCE
            checks.append({"file": name, "figure": figure, "value": value, "bar": bar,
                           "before": previous, "rule": rule, "required": required,
                           "passed": value >= required - 1e-9})
    return {"passed": all(c["passed"] for c in checks), "checks": checks}


def confusion_png(matrix: dict[str, dict[str, int]], path: Path, title: str) -> None:
    """The confusion matrix as a picture: rows are the truth, each row in shares of its total."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted({*matrix, *(p for row in matrix.values() for p in row)})
    grid = [[0.0] * len(labels) for _ in labels]
    for i, truth in enumerate(labels):
        row = matrix.get(truth, {})
        total = sum(row.values()) or 1
        for j, predicted in enumerate(labels):
            grid[i][j] = row.get(predicted, 0) / total
    size = max(6.0, 0.28 * len(labels) + 3)
    figure, axes = plt.subplots(figsize=(size, size), dpi=90)
    axes.imshow(grid, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)))
    axes.set_yticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=90, fontsize=7)
    axes.set_yticklabels(labels, fontsize=7)
    axes.set_xlabel("prédit")
    axes.set_ylabel("attendu")
    axes.set_title(title, fontsize=10)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if grid[i][j] and i != j:
                axes.text(j, i, f"{grid[i][j]:.0%}", ha="center", va="center", fontsize=5, color="#b00")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


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
    parser.add_argument("--test-file", type=Path, action="append",
                        help="a held-out file (repeat for several); default tests/nlu/test_nlu.yml")
    parser.add_argument(
        "--nonsense", type=Path, default=ROOT / "tests" / "nlu" / "hors_perimetre_nonsense.txt"
    )
    parser.add_argument("--check", action="store_true", help="fail below the quality bars")
    parser.add_argument("--sweep", action="store_true", help="print other fallback thresholds")
    parser.add_argument("--json", type=Path, default=ROOT / "results" / "nlu_eval.json")
    parser.add_argument("--probes", type=Path, help="JSON [{text, intent}]: sentences just taught")
    parser.add_argument("--before", type=Path, help="this script's JSON for the running model")
    parser.add_argument("--confusion-png", type=Path, help="draw the confusion matrix of every file")
    args = parser.parse_args()
    test_files = args.test_file or [ROOT / "tests" / "nlu" / "test_nlu.yml"]
    probes = json.loads(args.probes.read_text(encoding="utf-8")) if args.probes else []

    evaluated = asyncio.run(evaluate_sets(args.model, test_files, args.nonsense, probes))
    before = json.loads(args.before.read_text(encoding="utf-8"))["sets"] if args.before else None
    result = {**evaluated["sets"][test_files[0].name], **evaluated, "gate": gate(evaluated["sets"], before)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    if args.confusion_png:
        merged: dict[str, dict[str, int]] = {}
        for other in evaluated["sets"].values():
            for truth, row in other["confusion"].items():
                for predicted, count in row.items():
                    cells = merged.setdefault(truth, {})
                    cells[predicted] = cells.get(predicted, 0) + count
        names = ", ".join(f.name for f in test_files)
        confusion_png(merged, args.confusion_png, f"{args.model.name} — {names}")

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
    for name, other in list(evaluated["sets"].items())[1:]:
        print(f"Held-out set {name}: {other['examples']} examples — " + ", ".join(
            f"{figure} {other[figure]:.3f}" for figure in BARS))
    for entry in result["probes"]:
        print(f"  taught: {entry['text']!r} -> {entry['predicted']} "
              f"({'understood' if entry['understood'] else 'NOT understood'})")
    failed = [f"{c['file']}:{c['figure']}" for c in result["gate"]["checks"] if not c["passed"]]
    if args.check and failed:
        print(f"FAILED quality bars: {', '.join(failed)} (details in {args.json})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
