"""Print the bcrypt hash of a password for an advisors file: `python -m desk.hash_password`.

With `--stdin` the password is read from standard input, without a prompt (scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from desk.advisors import hash_password

MIN_LENGTH = 12


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bcrypt hash of an advisor's password")
    parser.add_argument("--stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    if args.stdin:
        password = sys.stdin.read().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe du conseiller : ")
        if password != getpass.getpass("Confirmez le mot de passe : "):
            print("Les deux saisies diffèrent.", file=sys.stderr)
            return 1
    if len(password) < MIN_LENGTH:
        print(f"Choisissez au moins {MIN_LENGTH} caractères.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
