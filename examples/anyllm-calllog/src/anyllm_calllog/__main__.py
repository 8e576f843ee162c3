"""``anyllm-calllog [--db PATH] [--since ISO]``: calls, errors, tokens and cost per provider and model."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

from anyllm_calllog import settings

QUERY = """
SELECT provider, COALESCE(response_model, model), COUNT(*), SUM(error_type IS NOT NULL),
       COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), AVG(latency_ms),
       GROUP_CONCAT(cost_usd, ' ')
FROM calls WHERE started_at >= ? GROUP BY 1, 2 ORDER BY 1, 2
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="anyllm-calllog", description=__doc__)
    ap.add_argument("--db", type=Path, default=settings.path, help=f"default: {settings.path}")
    ap.add_argument("--since", default="", help="only calls started at or after this ISO time")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no call log at {args.db}", file=sys.stderr)
        return 1
    with sqlite3.connect(args.db) as db:
        rows = db.execute(QUERY, (args.since,)).fetchall()
    head = ("provider", "model", "calls", "errors", "in tok", "out tok", "avg ms", "cost $")
    print("{:<12} {:<32} {:>6} {:>6} {:>9} {:>9} {:>8} {:>10}".format(*head))
    for provider, model, calls, errs, tin, tout, avg_ms, costs in rows:
        total = sum((Decimal(c) for c in (costs or "").split()), Decimal(0))
        print(f"{provider:<12} {model:<32} {calls:>6} {errs:>6} {tin:>9} {tout:>9} {avg_ms or 0:>8.0f} {total:>10.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
