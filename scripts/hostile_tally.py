#!/usr/bin/env python
"""The tally of the hostile-input and fault suite: cases passed / total, and the failures.

    .venv/bin/python scripts/hostile_tally.py [pytest options]

Runs every test marked `hostile` (tests/integration, both storage backends) against the real
servers, as `make test-integration` does, and prints one line per failed case and the tally.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        report = Path(workdir) / "hostile.xml"
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-m", "hostile", "tests/integration",
             f"--junitxml={report}", *argv],
            cwd=ROOT, check=False,
        )
        cases = ElementTree.parse(report).getroot().iter("testcase")
        total, failed, skipped = 0, [], 0
        for case in cases:
            total += 1
            if case.find("skipped") is not None:
                skipped += 1
            elif case.find("failure") is not None or case.find("error") is not None:
                failed.append(f"{case.get('classname')}::{case.get('name')}")
    for name in failed:
        print(f"FAILED {name}")
    ran = total - skipped
    print(f"hostile-input and fault suite: {ran - len(failed)} / {ran} cases passed"
          + (f" ({skipped} skipped)" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
