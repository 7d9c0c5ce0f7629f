"""`maptag hub`: the local Migration Hub (`hub serve`) and views of Migration Hub (docs/contracts.md, "CLI").

Each subcommand is one registrar in SUBCOMMANDS: add `hub tasks` by appending its
`register(subcommands)` function there.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from maptag.commands import EXIT_OK, UsageError
from maptag.commands.hub_tasks import register_tasks
from maptag.migration_hub.names import ENDPOINT_VARIABLES


def register_serve(subcommands: Any) -> None:
    serve = subcommands.add_parser(
        "serve",
        help="run the local Migration Hub on 127.0.0.1:PORT until stopped",
        description="Serve the mgh and migrationhub-config APIs on 127.0.0.1 for any AWS client.",
    )
    serve.add_argument("--port", type=_port, required=True, metavar="N", help="TCP port (0: any free port)")
    serve.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="keep streams, tasks and home region in FILE (default: memory)",
    )
    serve.add_argument(
        "--home-region",
        metavar="REGION",
        help="set the Migration Hub home region at start (as create-home-region-control would)",
    )
    serve.set_defaults(handler=run_serve)


SUBCOMMANDS: list[Callable[[Any], None]] = [register_serve, register_tasks]


def register(commands: Any) -> None:
    hub = commands.add_parser("hub", help="Migration Hub: the local hub and its tasks")
    subcommands = hub.add_subparsers(dest="hub_command", required=True, metavar="COMMAND")
    for register_subcommand in SUBCOMMANDS:
        register_subcommand(subcommands)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_serve(args: argparse.Namespace) -> int:
    from maptag.local.migration_hub import (
        HubError,
        HubState,
        LocalMigrationHub,
        StateFileError,
        make_hub_server,
    )
    from maptag.local.migration_hub.server import base_url

    try:
        state = HubState(path=args.state)
    except StateFileError as error:
        raise UsageError(f"--state: {error}") from None
    hub = LocalMigrationHub(state)
    if args.home_region is not None:
        try:
            hub.set_home_region(args.home_region)
        except HubError as error:
            raise UsageError(f"--home-region {args.home_region}: {error.message}") from None
    try:
        server = make_hub_server(hub, args.port)
    except OSError as error:
        raise UsageError(
            f"--port {args.port}: cannot listen on 127.0.0.1:{args.port}: {error.strerror}"
        ) from None

    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    url = base_url(server)
    where = f"state in {args.state}" if args.state else "state in memory"
    if state.home_region is not None:
        where += f", home region {state.home_region}"
    print(f"Local Migration Hub on {url} ({where}). Point AWS clients at it with:")
    for name in ENDPOINT_VARIABLES:
        print(f"  export {name}={url}")
    print("Stop with Ctrl-C.", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        state.save()
    print("maptag: local Migration Hub stopped", file=sys.stderr)
    return EXIT_OK
