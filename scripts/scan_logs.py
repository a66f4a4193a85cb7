#!/usr/bin/env python
"""Fail when a log holds personal data: the last step of `make test` (`make test-logs`).

    .venv/bin/python scripts/scan_logs.py [PATH ...] [--sentences FILE]

Reads every `*.log` file under each PATH (a file or a folder; default: results/test-logs, where
the test servers of tests/stack.py write, and logs/ of `make run`) and lists `file:line` for
each line holding an e-mail address, a phone number, a SIRET or SIREN (as assistance/privacy.py
recognises them, the shapes its masking hides), or one of the sentences the tests send
(tests/sensitive_sentences.txt, ignoring case). It prints the kind of data, never the data.

Exit status: 0 nothing found, 1 personal data found (or no log to read), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = [ROOT / "results" / "test-logs", ROOT / "logs"]
DEFAULT_SENTENCES = ROOT / "tests" / "sensitive_sentences.txt"


def log_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*.log") if p.is_file())


def read_sentences(path: Path | None) -> list[str]:
    if path is None or not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def findings(line: str, sentences: list[str]) -> list[str]:
    from assistance.privacy import find

    kinds = sorted({kind for kind, _, _ in find(line)})
    folded = line.casefold()
    kinds += [f"sentence {index}" for index, sentence in enumerate(sentences, start=1)
              if sentence.casefold() in folded]
    return kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Look for personal data in log files.")
    parser.add_argument("paths", nargs="*", type=Path, help="log files or folders (*.log)")
    parser.add_argument("--sentences", type=Path, default=DEFAULT_SENTENCES,
                        help="sentences that must not appear, one per line")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # this checkout's core, whichever checkout the venv points to

    sentences = read_sentences(args.sentences)
    files = list(log_files(args.paths or DEFAULT_PATHS))
    if not files:
        print("scan_logs: no *.log file to read in " + ", ".join(map(str, args.paths or DEFAULT_PATHS)))
        return 1
    found, lines = 0, 0
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as stream:
            for number, line in enumerate(stream, start=1):
                lines += 1
                kinds = findings(line, sentences)
                if kinds:
                    found += 1
                    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    print(f"{shown}:{number}: {', '.join(kinds)}")
    summary = f"{len(files)} log files, {lines} lines, {len(sentences)} sentences looked for"
    if found:
        print(f"scan_logs: personal data on {found} lines ({summary})")
        return 1
    print(f"scan_logs: no personal data ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
