"""The shape of the code: one core without Rasa or aiohttp, thin adapters that don't import
each other (read from the import statements, without running anything)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_AND_RASA = ("rasa", "rasa_sdk", "sanic", "aiohttp", "socketio", "tensorflow")


def imported_modules(package: str) -> dict[str, set[str]]:
    """file → top-level names of the modules it imports (absolute imports)."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, names in imported_modules(package).items()
        for name in sorted(names)
        if name.split(".")[0] in forbidden
    ]


def test_the_core_imports_neither_rasa_nor_a_web_framework():
    assert offenders("assistance", WEB_AND_RASA) == []


def test_the_core_imports_no_adapter():
    adapters = ("actions", "desk", "channels", "nlg", "policies", "tracker_stores", "components")
    assert offenders("assistance", adapters) == []


@pytest.mark.parametrize("adapter", ["desk", "channels", "nlg", "policies", "tracker_stores"])
def test_adapters_share_the_core_not_the_action_server(adapter):
    assert offenders(adapter, ("actions",)) == []


def test_the_desk_reaches_rasa_only_over_http():
    assert offenders("desk", ("rasa", "rasa_sdk", "sanic")) == []
