"""Command line: ``modelarts-widgets demo`` and ``modelarts-widgets emulator``.

``demo`` starts the local ModelArts emulator with sample data and JupyterLab (127.0.0.1 only) on
the quickstart notebook, prints the URL and runs until Ctrl-C / SIGTERM. ``emulator`` runs the
emulator alone (``python -m modelarts_widgets.emulator``; its arguments are passed through).
"""

from __future__ import annotations

import argparse
import runpy
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Optional

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modelarts-widgets", description="ModelArts widgets: demo and local emulator."
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,emulator}")
    commands.required = True
    demo = commands.add_parser(
        "demo", help="emulator with sample data + JupyterLab on the quickstart notebook"
    )
    demo.add_argument("--port", type=int, default=0, help="JupyterLab port (default: a free one)")
    demo.add_argument(
        "--emulator-port", type=int, default=0, help="emulator port (default: a free one)"
    )
    demo.add_argument("--token", default=None, help="JupyterLab token (default: random)")
    demo.add_argument(
        "--workdir",
        default=None,
        help="folder to copy the notebooks into and keep (default: a temporary folder, "
        "deleted on exit)",
    )
    demo.add_argument(
        "--open-browser", action="store_true", help="open a web browser (default: only print URL)"
    )
    demo.add_argument(
        "--delete-delay",
        type=float,
        default=None,
        help="seconds a deleted item stays listed before it is gone (default: 1.5)",
    )
    commands.add_parser(
        "emulator",
        help="run the emulator alone (see `modelarts-widgets emulator --help`)",
        add_help=False,
    )
    return parser


def _run_emulator(argv: Sequence[str]) -> int:
    """Hand the remaining arguments to ``python -m modelarts_widgets.emulator``."""
    saved = sys.argv
    sys.argv = ["modelarts-widgets emulator", *argv]
    try:
        runpy.run_module("modelarts_widgets.emulator", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        sys.argv = saved
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from modelarts_widgets.demo import DEMO_DELETE_DELAY, DEMO_SEED, start_demo

    stop = threading.Event()

    def _on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print("Starting the ModelArts emulator and JupyterLab ...", flush=True)
        handle = start_demo(
            port=args.port,
            token=args.token,
            workdir=args.workdir,
            emulator_port=args.emulator_port,
            open_browser=args.open_browser,
            delete_delay=DEMO_DELETE_DELAY if args.delete_delay is None else args.delete_delay,
        )
        with handle:
            print(
                f"ModelArts emulator: {handle.emulator_url} ({DEMO_SEED['jobs']} training jobs x "
                f"{DEMO_SEED['versions_per_job']} versions, "
                f"{DEMO_SEED['visualization_jobs']} visualization jobs)\n"
                f"Notebooks folder:   {handle.workdir}\n"
                f"JupyterLab log:     {handle.log_path}\n"
                f"JupyterLab token:   {handle.token}\n"
                f"\nOpen the quickstart in your browser:\n\n    {handle.url}\n\n"
                "Press Ctrl-C to stop.",
                flush=True,
            )
            while not stop.wait(1.0):
                if handle.process.poll() is not None:
                    print(f"JupyterLab exited (code {handle.process.returncode}).", flush=True)
                    return 1
            print("Stopping JupyterLab and the emulator ...", flush=True)
        print("Stopped.", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``modelarts-widgets`` and ``python -m modelarts_widgets``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:
        return _run_emulator(args_list[1:])
    args = _parser().parse_args(args_list)
    if args.command == "demo":
        return _run_demo(args)
    return 2  # pragma: no cover (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
