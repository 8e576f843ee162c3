"""``python -m any_llm bulk INPUT -o OUTPUT``: the command-line face of :func:`any_llm.bulk.run`.

Exit status: 0 when every row succeeded, 1 when the job finished with failed rows (see the errors
file), 2 for bad arguments or input, 3 when ``--mode batch-api`` stopped waiting at ``--max-wait`` with the
batch still running, 130 after Ctrl-C (run the same command again to resume, or to keep waiting).
"""

from __future__ import annotations

import argparse
import sys

from any_llm import errors

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m any_llm bulk",
        description="Send every request of an OpenAI batch JSONL file; write one answer line per request. "
        "Run the same command again to resume an interrupted job.",
    )
    parser.add_argument("input", help="JSONL of {custom_id, method, url, body} lines")
    parser.add_argument("-o", "--output", required=True, help="output JSONL (resumed if it exists)")
    parser.add_argument("--provider", help='provider of every row (else body.model says "provider:model")')
    parser.add_argument("--api-base", help="base URL of the provider's API")
    parser.add_argument(
        "--router",
        metavar="CONFIG",
        help="route rows through an any_llm.Router built from this file (.json; .toml on Python 3.11+; "
        ".yaml with PyYAML): body.model names a router group",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at most (default 16)")
    parser.add_argument("--rpm", type=float, help="requests per minute never to exceed")
    parser.add_argument("--tpm", type=float, help="tokens per minute never to exceed")
    parser.add_argument("--errors", help="where failed rows are copied (default OUTPUT_STEM.errors.jsonl)")
    parser.add_argument("--max-retries", type=int, default=6, help="retries per row (default 6)")
    parser.add_argument("--timeout", type=float, help="seconds per request")
    parser.add_argument("--retry-failed", action="store_true", help="on resume, send earlier failed rows again")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    parser.add_argument("--progress-interval", type=float, help="seconds between plain progress lines")
    batch = parser.add_argument_group("batch API (--mode batch-api)")
    batch.add_argument(
        "--mode",
        choices=("direct", "batch-api"),
        default="direct",
        help="direct: one call per row (default); batch-api: submit the file to the provider's batch API and wait",
    )
    batch.add_argument("--completion-window", default="24h", help="the batch's completion window (default 24h)")
    batch.add_argument("--poll-interval", type=float, help="first seconds between polls (default 10, grows 1.5x)")
    batch.add_argument("--max-poll-interval", type=float, help="longest seconds between polls (default 300)")
    batch.add_argument("--max-wait", type=float, help="stop waiting after this many seconds (exit 3; rerun to resume)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from any_llm.bulk import PlainProgress, default_reporter, run
    from any_llm.bulk.progress import ProgressReporter

    args = _parser().parse_args(argv)
    reporter: ProgressReporter
    if args.quiet:
        reporter = PlainProgress(interval=float("inf"))
    elif args.progress_interval is not None:
        reporter = PlainProgress(interval=args.progress_interval)
    else:
        reporter = default_reporter()
    client_args = {"timeout": args.timeout} if args.timeout else None
    try:
        stats = run(
            args.input,
            args.output,
            concurrency=args.concurrency,
            rpm=args.rpm,
            tpm=args.tpm,
            provider=args.provider,
            api_base=args.api_base,
            client_args=client_args,
            errors_path=args.errors,
            max_retries=args.max_retries,
            progress=reporter,
            retry_failed=args.retry_failed,
            mode=args.mode,
            completion_window=args.completion_window,
            poll_interval=args.poll_interval,
            max_poll_interval=args.max_poll_interval,
            max_wait=args.max_wait,
            router=args.router,
        )
    except KeyboardInterrupt:
        return 130
    except errors.ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if stats.interrupted:
        return 3
    return 1 if stats.failed else 0
