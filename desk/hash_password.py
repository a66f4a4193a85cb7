"""Print the bcrypt hash of a password for conf/advisors.yml: `python -m desk.hash_password`."""

from __future__ import annotations

import getpass
import sys

from desk.advisors import hash_password


def main() -> int:
    password = getpass.getpass("Mot de passe du conseiller : ")
    if password != getpass.getpass("Confirmez le mot de passe : "):
        print("Les deux saisies diffèrent.", file=sys.stderr)
        return 1
    if len(password) < 12:
        print("Choisissez au moins 12 caractères.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
