"""A stream's migration tasks as the console lists them (`maptag hub tasks`, `maptag demo`).

Reads Migration Hub through the standard chain (the home region from migrationhub-config;
AWS_ENDPOINT_URL_MIGRATION_HUB reaches the local hub), so it shows what AWS shows.
"""

from __future__ import annotations

from typing import IO

from botocore.exceptions import BotoCoreError, ClientError

from maptag.app.errors import UsageError
from maptag.app.exit_codes import EXIT_OK
from maptag.aws import describe_error
from maptag.migration_hub.names import DEFAULT_STREAM, StreamNameError, validate_stream
from maptag.migration_hub.publisher import HubUnavailable
from maptag.migration_hub.views import UnknownStream, print_tasks, stream_tasks


def tasks(out: IO[str], stream: str = DEFAULT_STREAM) -> int:
    """Print the stream's tasks; a bad or unknown stream, or an unreachable hub, is one line (exit 2)."""
    try:
        stream = validate_stream(stream)
    except StreamNameError as error:
        raise UsageError(f"--stream: {error}") from None
    try:
        view = stream_tasks(stream)
    except UnknownStream as error:
        raise UsageError(f"--stream: {error}") from None
    except HubUnavailable as error:
        raise UsageError(str(error)) from None
    except (ClientError, BotoCoreError) as error:
        raise UsageError(f"cannot read Migration Hub: {describe_error(error)}") from None
    print_tasks(view, out)
    return EXIT_OK
