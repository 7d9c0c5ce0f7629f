"""`maptag scan` as a process against a moto server: signals, /dev/stdout, an unknown region
behind a custom endpoint. Each of these needs a real process (its own signal handlers, its own
file descriptors), so the tests run `python -m maptag.cli` as a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.support.cli_estate import aws_env, moto_server
from tests.support.faults import error_response

pytestmark = pytest.mark.slow

REGION = "us-east-1"
BUCKETS = ["scan", "--mpe-id", "12345", "--regions", REGION, "--types", "s3:bucket"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        s3 = boto3.client(
            "s3", region_name=REGION, endpoint_url=url, aws_access_key_id="t", aws_secret_access_key="t"
        )
        s3.create_bucket(Bucket="workload")
        s3.put_bucket_tagging(
            Bucket="workload", Tagging={"TagSet": [{"Key": "map-migrated", "Value": "mig12345"}]}
        )
        yield url


def maptag(endpoint: str, *argv: str, **extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_PROFILE", "AWS_ENDPOINT_URL"))}
    env.update(aws_env(endpoint), AWS_MAX_ATTEMPTS="1", **extra)
    return subprocess.Popen(
        [sys.executable, "-m", "maptag.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


class Unanswering:
    """A loopback TCP server that accepts requests and never answers (a hung service)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connected = threading.Event()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(connection)
            self.connected.set()

    def close(self) -> None:
        """Drop every connection: the hung requests fail at once."""
        self._listener.close()
        for connection in self._connections:
            connection.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_leaves_no_partial_report_and_no_spool(
    endpoint: str, tmp_path: Path, signum: signal.Signals
) -> None:
    # Given a scan hung on EC2 (the report's .part file and the findings spool both exist)
    hung = Unanswering()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    output = tmp_path / "out"
    output.mkdir()
    process = maptag(
        endpoint,
        "scan", "--mpe-id", "12345", "--regions", REGION, "--types", "s3:bucket,ec2:volume",
        "--format", "json", "--output", str(output / "report.json"),
        AWS_ENDPOINT_URL_EC2=hung.url, TMPDIR=str(temporary),
    )  # fmt: skip
    try:
        assert hung.connected.wait(60), "the scan never reached EC2"
        assert list(temporary.iterdir()), "the findings spool exists while scanning"

        # When it is stopped the way CI, `timeout` or a container runtime stops it
        process.send_signal(signum)
        hung.close()
        _, err = process.communicate(timeout=60)
    finally:
        hung.close()
        if process.poll() is None:
            process.kill()

    # Then it says so on one line, exits 128 + the signal, and leaves nothing behind
    assert err.splitlines() == [f"maptag: error: stopped by {signal.Signals(signum).name}"]
    assert process.returncode == 128 + signum
    assert list(output.iterdir()) == []
    assert list(temporary.iterdir()) == []


def test_output_to_dev_stdout_writes_the_pipe_and_keeps_the_link(endpoint: str) -> None:
    before = os.readlink("/dev/stdout")

    process = maptag(endpoint, *BUCKETS, "--format", "json", "--output", "/dev/stdout")
    out, err = process.communicate(timeout=120)

    assert process.returncode == 0, err
    assert json.loads(out)["totals"]["compliant"] == 1
    assert os.readlink("/dev/stdout") == before


def test_an_unknown_region_behind_a_custom_endpoint_is_a_warning_and_never_a_traceback(endpoint: str) -> None:
    process = maptag(endpoint, "scan", "--mpe-id", "12345", "--regions", "eu-west-9", "--types", "ec2:volume")
    _, err = process.communicate(timeout=120)

    assert "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith("maptag: ") for line in lines), err
    assert lines[0] == (
        "maptag: warning: --regions: 'eu-west-9' is not an AWS region botocore knows; "
        f"scanning it anyway through the custom endpoint {endpoint}"
    )
    assert process.returncode in (0, 1, 3)


class FixedAnswer:
    """A loopback HTTP server that gives every request the same answer."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Answer(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def html_pages() -> FixedAnswer:
    """200 with an HTML page for everything (a captive portal, a proxy's error page:
    boto/boto3#1961), so no AWS response parses."""
    return FixedAnswer(200, {"Content-Type": "text/html"}, b"<html><body><h1>Proxy error</h1></body></html>")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (BUCKETS, "is not a query document of the service"),  # STS: XML
        (["history", "--table", "maptag-history"], "is not a JSON document of the service"),  # DynamoDB
        # Migration Hub's clients are made by migration_hub/publisher.py, not maptag.aws: one line only
        (["hub", "tasks"], ""),
    ],
    ids=["scan", "history --table", "hub tasks"],
)
def test_an_unparseable_aws_answer_is_one_error_line_never_a_traceback(argv: list[str], named: str) -> None:
    pages = html_pages()
    try:
        process = maptag(pages.url, *argv)
        _, err = process.communicate(timeout=120)
    finally:
        pages.close()

    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("maptag: error: ")
    assert named in lines[0]
    assert process.returncode == 2


def test_warnings_logged_while_scanning_carry_the_prefix(endpoint: str) -> None:
    # Given a caller the Tagging API refuses (its own error, in its wire protocol): the
    # collector logs a warning and reads each bucket's tags itself
    status, headers, body = error_response("json", "AccessDeniedException", "not allowed", 400)
    denied = FixedAnswer(status, headers, body)
    try:
        process = maptag(endpoint, *BUCKETS, AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=denied.url)
        _, err = process.communicate(timeout=120)
    finally:
        denied.close()

    assert process.returncode == 0, err
    (line,) = err.splitlines()
    assert line.startswith("maptag: warning: AccessDeniedException on GetResources: not allowed")
