"""Builds the external French intent benchmark from Home Assistant's intents repository.

Source: https://github.com/home-assistant/intents (CC BY 4.0), French files only.
- train.yml: sentences generated from the French templates (`sentences/fr/*.yaml`), for the
  intents that the French tests cover. A template such as `<allume> [<le>]{area}` expands its
  alternatives `(a|b)`, optional parts `[x]`, permutations `(a;b)`, rules `<rule>` and slot lists
  `{list}` at random, with a fixed seed. Areas, floors and device names come from the published
  test fixtures (`tests/fr/_fixtures.yaml`, the home the tests run against); free-text slots
  (shopping items, timer names, messages) from a short list written here.
- test.yml: every sentence of the French tests (`tests/fr/*.yaml`), labelled with its intent.
  Test sentences never appear in train.yml (exact matches are dropped from the generated set).

Deterministic: the same repository commit and arguments give the same files.

    .venv/bin/python bench/external/convert_home_assistant.py --repo PATH [--rev aa55003]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "home_assistant_fr"
# Values for free-text slots, which Home Assistant fills with whatever the user says.
FREE_TEXT = ["le pain", "du lait", "des pommes", "la lessive", "le rapport", "les pâtes",
             "le gâteau", "les pizzas", "le thé", "rappel", "cuisson", "sieste", "bonjour",
             "le dîner est prêt", "on part dans cinq minutes", "venez manger"]


class Repo:
    """Reads files of a git directory (bare or not) at one revision."""

    def __init__(self, path: Path, rev: str) -> None:
        self.path, self.rev = path, rev

    def run(self, *args: str) -> str:
        return subprocess.check_output(["git", "-C", str(self.path), *args], text=True)

    def files(self, folder: str) -> list[str]:
        return sorted(self.run("ls-tree", "--name-only", f"{self.rev}:{folder}").split())

    def yaml(self, path: str) -> dict:
        return yaml.safe_load(self.run("show", f"{self.rev}:{path}")) or {}


# --- template grammar: a tiny recursive-descent parser ---------------------------------------

def parse(template: str) -> list:
    """A rule body may hold top-level alternatives (`a|b`): they are one alternative group."""
    alternatives, separator, _ = _group(template + "\0", 0, "\0")
    if len(alternatives) == 1:
        return alternatives[0]
    return [("perm" if separator == ";" else "alt", alternatives)]


def _sequence(text: str, i: int, closers: str) -> tuple[list, int]:
    """Items until one of `closers` (not consumed); alternatives are split by the caller."""
    items: list = []
    buffer = ""
    while i < len(text) and text[i] not in closers:
        char = text[i]
        if char in "([":
            if buffer:
                items.append(("text", buffer))
                buffer = ""
            closer = ")" if char == "(" else "]"
            alternatives, separator, i = _group(text, i + 1, closer)
            kind = "perm" if separator == ";" else "alt"
            if char == "[":
                alternatives.append([])
                kind = "alt"
            items.append((kind, alternatives))
        elif char in "<{":
            if buffer:
                items.append(("text", buffer))
                buffer = ""
            end = text.index(">" if char == "<" else "}", i)
            name = text[i + 1 : end].split(":")[0].strip()
            items.append(("rule" if char == "<" else "list", name))
            i = end + 1
        else:
            buffer += char
            i += 1
    if buffer:
        items.append(("text", buffer))
    return items, i


def _group(text: str, i: int, closer: str) -> tuple[list, str, int]:
    alternatives, separator = [], "|"
    while True:
        items, i = _sequence(text, i, "|;" + closer)
        alternatives.append(items)
        if text[i] == closer:
            return alternatives, separator, i + 1
        separator = text[i]
        i += 1


class Sampler:
    def __init__(self, rules: dict, lists: dict, fixtures: dict, rng: random.Random) -> None:
        self.rules = {name: parse(str(t)) for name, t in rules.items()}
        self.lists = lists
        self.fixtures = fixtures
        self.rng = rng

    def sample(self, items: list, depth: int = 0) -> str:
        out = []
        for kind, value in items:
            if kind == "text":
                out.append(value)
            elif kind == "alt":
                out.append(self.sample(self.rng.choice(value), depth))
            elif kind == "perm":
                parts = [self.sample(v, depth) for v in value]
                self.rng.shuffle(parts)
                out.append(" ".join(parts))
            elif kind == "rule":
                if depth > 20 or value not in self.rules:
                    raise KeyError(value)
                out.append(self.sample(self.rules[value], depth + 1))
            else:
                out.append(self.list_value(value))
        return "".join(out)

    def list_value(self, name: str) -> str:
        if name in self.fixtures:
            return self.rng.choice(self.fixtures[name])
        spec = self.lists.get(name)
        if spec is None or spec.get("wildcard"):
            return self.rng.choice(FREE_TEXT)
        if "range" in spec:
            span = spec["range"]
            step = int(span.get("step", 1))
            return str(self.rng.randrange(int(span["from"]), int(span["to"]) + 1, step))
        value = self.rng.choice(spec["values"])
        # A value may itself be a template (« porte[s] »).
        return self.sample(parse(str(value["in"] if isinstance(value, dict) else value)))


def clean(sentence: str) -> str:
    sentence = re.sub(r"\s+", " ", sentence).strip()
    return re.sub(r"\s+([,.?!])", r"\1", sentence)


def fixtures_lists(fixtures: dict) -> dict:
    names = defaultdict(list)
    for area in fixtures.get("areas", []):
        names["area"].append(area["name"])
    for floor in fixtures.get("floors", []):
        names["floor"].append(floor["name"])
    for entity in fixtures.get("entities", []):
        names["name"].append(entity["name"])
    return dict(names)


def load_tests(repo: Repo) -> dict[str, list[str]]:
    tests: dict[str, list[str]] = defaultdict(list)
    for name in repo.files("tests/fr"):
        if name.startswith("_"):
            continue
        for block in repo.yaml(f"tests/fr/{name}").get("tests", []):
            tests[block["intent"]["name"]].extend(str(s) for s in block["sentences"])
    return tests


def generate(repo: Repo, intents: set[str], per_template: int, per_intent: int, seed: int,
             exclude: set[str]) -> dict[str, list[str]]:
    common = repo.yaml("sentences/fr/_common.yaml")
    fixtures = fixtures_lists(repo.yaml("tests/fr/_fixtures.yaml"))
    rng = random.Random(seed)
    generated: dict[str, list[str]] = defaultdict(list)
    for name in repo.files("sentences/fr"):
        if name.startswith("_"):
            continue
        document = repo.yaml(f"sentences/fr/{name}")
        for intent, spec in (document.get("intents") or {}).items():
            if intent not in intents:
                continue
            for block in spec.get("data", []):
                rules = {**common.get("expansion_rules", {}), **document.get("expansion_rules", {}),
                         **block.get("expansion_rules", {})}
                lists = {**common.get("lists", {}), **document.get("lists", {}),
                         **block.get("lists", {})}
                sampler = Sampler(rules, lists, fixtures, rng)
                for template in block.get("sentences", []):
                    try:
                        tree = parse(str(template))
                    except (ValueError, IndexError):
                        continue
                    seen: set[str] = set()
                    for _ in range(per_template * 8):
                        if len(seen) >= per_template:
                            break
                        try:
                            sentence = clean(sampler.sample(tree))
                        except KeyError:
                            break
                        if sentence and sentence.lower() not in exclude:
                            seen.add(sentence)
                    generated[intent].extend(sorted(seen))
    result = {}
    for intent, sentences in generated.items():
        unique = sorted(set(sentences))
        random.Random(f"{seed}-{intent}").shuffle(unique)
        result[intent] = sorted(unique[:per_intent])
    return result


def write(path: Path, examples: dict[str, list[str]], header: str) -> None:
    lines = [header, 'version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {sentence}" for sentence in examples[intent])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="git directory of home-assistant/intents")
    parser.add_argument("--rev", default="aa550032a57b67c13995c032220bc4101521ead2")
    parser.add_argument("--per-template", type=int, default=4)
    parser.add_argument("--per-intent", type=int, default=80)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    repo = Repo(args.repo, args.rev)
    tests = load_tests(repo)
    exclude = {s.lower() for sentences in tests.values() for s in sentences}
    train = generate(repo, set(tests), args.per_template, args.per_intent, args.seed, exclude)
    missing = sorted(set(tests) - set(train))
    if missing:
        raise SystemExit(f"no training sentence for {missing}")
    source = (f"# Home Assistant intents (https://github.com/home-assistant/intents), commit "
              f"{args.rev[:12]}, CC BY 4.0 — converted by bench/external/convert_home_assistant.py")
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "train.yml", train, f"{source}\n# Generated from sentences/fr (seed {args.seed}, "
          f"{args.per_template} per template, {args.per_intent} per intent at most).")
    write(OUT / "test.yml", tests, f"{source}\n# Every sentence of tests/fr.")
    print(f"train: {sum(map(len, train.values()))} sentences, test: "
          f"{sum(map(len, tests.values()))} sentences, {len(tests)} intents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
