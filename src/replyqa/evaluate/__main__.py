"""``python -m replyqa.evaluate --to eval/RESULTS.md [--readme README.md] REPORT.json...``: the results table.

``make eval`` runs this after its evaluations, so the table always comes from one real run.
"""
from __future__ import annotations

import argparse

from .report import combine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replyqa.evaluate", description=__doc__)
    parser.add_argument("reports", nargs="+", help="report.json files, in the order the table shows them")
    parser.add_argument("--to", required=True, help="markdown file to write")
    parser.add_argument("--readme", help="also put the table into this file, between its eval-results markers")
    parser.add_argument("--archive", nargs="*", default=[],
                        help="report.json files of eval-commitments, eval-counts and eval-precedent, tabled after the main table")
    args = parser.parse_args(argv)
    combine(args.reports, args.to, args.readme, args.archive)
    print(f"wrote {args.to}" + (f" and the table in {args.readme}" if args.readme else ""))


if __name__ == "__main__":
    main()
