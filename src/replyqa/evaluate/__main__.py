"""``python -m replyqa.evaluate --to eval/RESULTS.md REPORT.json...``: the README's results table.

``make eval`` runs this after its evaluations, so the table always comes from one real run.
"""
from __future__ import annotations

import argparse

from .report import combine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replyqa.evaluate", description=__doc__)
    parser.add_argument("reports", nargs="+", help="report.json files, in the order the table shows them")
    parser.add_argument("--to", required=True, help="markdown file to write")
    args = parser.parse_args(argv)
    combine(args.reports, args.to)
    print(f"wrote {args.to}")


if __name__ == "__main__":
    main()
