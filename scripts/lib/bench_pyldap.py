#!/usr/bin/python3
"""Parse a whole LDIF file with python-ldap's ldif.LDIFParser and print the number of
records: the baseline of "a script with the usual Python library" in
scripts/bench-peers.sh. Run it with the interpreter python3-ldap is installed for
(/usr/bin/python3 on Debian).

Usage: bench_pyldap.py FILE
"""

import sys

import ldif


class Counter(ldif.LDIFParser):
    """Counts records; keeps nothing."""

    records = 0

    def handle(self, dn, entry):
        self.records += 1


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_pyldap.py FILE")
    # Binary mode: the parser decodes each line as UTF-8 itself.
    with open(sys.argv[1], "rb") as f:
        p = Counter(f)
        p.parse()
    print(p.records)


if __name__ == "__main__":
    main()
