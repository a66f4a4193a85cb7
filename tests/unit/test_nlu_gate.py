"""The NLU gate of bench/nlu_eval.py: every bar on every held-out file, and no regression where
the running model already misses one."""

import importlib.util

import pytest

from assistance.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def nlu_eval():
    spec = importlib.util.spec_from_file_location("nlu_eval", PROJECT_ROOT / "bench" / "nlu_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(intent: float, faq: float, oos: float) -> dict:
    return {"intent_accuracy": intent, "faq_topic_accuracy": faq, "out_of_scope_rate": oos}


def failed(gate: dict) -> list[tuple[str, str]]:
    return [(c["file"], c["figure"]) for c in gate["checks"] if not c["passed"]]


def test_every_bar_on_every_file(nlu_eval):
    gate = nlu_eval.gate(
        {"test_nlu.yml": figures(0.96, 0.95, 0.92), "test_nlu_blind.yml": figures(0.96, 0.93, 0.92)}
    )
    assert failed(gate) == [("test_nlu_blind.yml", "faq_topic_accuracy")] and not gate["passed"]


def test_a_bar_the_running_model_misses_asks_for_no_regression(nlu_eval):
    before = {"test_nlu.yml": figures(0.96, 0.95, 0.92), "test_nlu_blind.yml": figures(0.96, 0.935, 0.94)}
    slightly_worse = nlu_eval.gate(
        {"test_nlu.yml": figures(0.96, 0.945, 0.91), "test_nlu_blind.yml": figures(0.96, 0.928, 0.92)}, before
    )
    assert slightly_worse["passed"]  # 0.928 is within a point of 0.935; the rest is above the bars
    [check] = [c for c in slightly_worse["checks"] if c["rule"] == "non_regression"]
    assert check["required"] == pytest.approx(0.925)
    worse = nlu_eval.gate(
        {"test_nlu.yml": figures(0.96, 0.945, 0.91), "test_nlu_blind.yml": figures(0.96, 0.92, 0.92)}, before
    )
    assert failed(worse) == [("test_nlu_blind.yml", "faq_topic_accuracy")]
    below_a_bar_the_old_one_met = nlu_eval.gate(
        {"test_nlu.yml": figures(0.96, 0.935, 0.91), "test_nlu_blind.yml": figures(0.96, 0.94, 0.94)}, before
    )
    assert failed(below_a_bar_the_old_one_met) == [("test_nlu.yml", "faq_topic_accuracy")]

