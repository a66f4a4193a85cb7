"""Before and after, side by side: what a retraining changed, from two outputs of bench/nlu_eval.py.

Overall figures of every held-out file, the accuracy of every intent and FAQ topic (all files
together), the pairs of topics most confused, whether each sentence just taught is understood now,
and the gate of the new model.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

FIGURES = ("intent_accuracy", "faq_topic_accuracy", "out_of_scope_rate")
CONFUSED_PAIRS = 10


def _overall(result: dict) -> dict[str, dict[str, Any]]:
    return {
        name: {"examples": figures.get("examples"), **{f: figures.get(f) for f in FIGURES}}
        for name, figures in (result.get("sets") or {}).items()
    }


def _per_intent(result: dict) -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    for figures in (result.get("sets") or {}).values():
        for intent, entry in (figures.get("per_intent") or {}).items():
            counts = merged.setdefault(intent, [0, 0])
            counts[0] += entry["total"]
            counts[1] += entry["correct"]
    return merged


def _confused(result: dict) -> Counter:
    pairs: Counter = Counter()
    for figures in (result.get("sets") or {}).values():
        for truth, row in (figures.get("confusion") or {}).items():
            for predicted, count in row.items():
                if predicted != truth:
                    pairs[(truth, predicted)] += count
    return pairs


def _pairs(pairs: Counter) -> list[dict[str, Any]]:
    return [{"truth": t, "predicted": p, "count": c} for (t, p), c in pairs.most_common(CONFUSED_PAIRS)]


def report(before: dict, after: dict) -> dict[str, Any]:
    before_intents, after_intents = _per_intent(before), _per_intent(after)
    per_intent = []
    for intent in sorted(set(before_intents) | set(after_intents)):
        b, a = before_intents.get(intent), after_intents.get(intent)
        b_acc = b[1] / b[0] if b and b[0] else None
        a_acc = a[1] / a[0] if a and a[0] else None
        per_intent.append({
            "intent": intent, "examples": (a or b)[0], "before": b_acc, "after": a_acc,
            "delta": a_acc - b_acc if a_acc is not None and b_acc is not None else None,
        })
    before_probes = {p["text"]: p for p in before.get("probes") or []}
    probes = [
        {**p, "before_predicted": (before_probes.get(p["text"]) or {}).get("predicted"),
         "before_understood": (before_probes.get(p["text"]) or {}).get("understood")}
        for p in after.get("probes") or []
    ]
    return {
        "before": {"model": before.get("model"), "sets": _overall(before),
                   "confused_pairs": _pairs(_confused(before)), "has_picture": bool(before)},
        "after": {"model": after.get("model"), "sets": _overall(after),
                  "confused_pairs": _pairs(_confused(after)), "has_picture": bool(after)},
        "per_intent": per_intent,
        "probes": probes,
        "gate": after.get("gate") or {"passed": False, "checks": []},
        "pictures": {"avant": before.get("confusion_png"), "apres": after.get("confusion_png")},
    }
