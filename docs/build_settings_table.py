"""Put the settings table, generated from survey/settings.py, into README.md.

    python docs/build_settings_table.py           rewrite the table between the markers
    python docs/build_settings_table.py --check   exit 1 if README.md's table is stale

The table lives between ``<!-- settings:start -->`` and ``<!-- settings:end -->``; the rest
of the README is left as written. tests/test_settings.py fails while the table is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- settings:start -->\n", "<!-- settings:end -->\n"

if str(ROOT) not in sys.path:  # run as a script from a checkout without an install
    sys.path.insert(0, str(ROOT))

from survey.settings import markdown_table  # noqa: E402


def with_table(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the current table."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise SystemExit(
            f"{README.name}: the markers {START.strip()} and {END.strip()} are missing"
        )
    return before + START + markdown_table() + END + after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report a stale table")
    check = parser.parse_args().check
    current = README.read_text(encoding="utf-8")
    wanted = with_table(current)
    if wanted == current:
        return 0
    if check:
        print("README.md's settings table is stale; run 'make docs'", file=sys.stderr)
        return 1
    README.write_text(wanted, encoding="utf-8")
    print("README.md: settings table updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
