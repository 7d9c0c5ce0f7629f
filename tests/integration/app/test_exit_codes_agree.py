"""One exit-code mapping (app/exit_codes.py): `maptag scan` and `maptag demo` give the same code
for the same scan. A failed publish is 2 in both (docs/contracts.md: a configuration or service
problem; the demo used to say 3). AWS is a moto server, Migration Hub the local one without a
home region, so the publish fails as it would for a customer who never set one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from maptag.app import demo
from maptag.app.exit_codes import EXIT_FINDINGS, EXIT_USAGE
from maptag.app.scan import ScanRequest, run
from maptag.cli import main
from maptag.console import ScanConsole
from maptag.local.migration_hub import HubState, running_hub


@pytest.fixture
def hub_without_home_region(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        with running_hub(HubState()) as hub:
            monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", hub)
            monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", hub)
            # one untagged volume: a finding, so the scan's own code is 1 before the publish
            boto3.client("ec2", region_name="us-east-1").create_volume(AvailabilityZone="us-east-1a", Size=1)
            yield
    finally:
        server.stop()


def test_a_failed_publish_exits_2_in_scan_and_in_demo(
    hub_without_home_region: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = str(tmp_path / "outbox.json")
    values = {
        "mpe_ids": ["mig12345"],
        "regions": ["us-east-1"],
        "types": ["ec2:volume"],
        "publish": ["migration-hub"],
        "outbox": outbox,
    }
    # When the user runs `maptag scan` with these settings
    argv = ["scan", "--mpe-id", "mig12345", "--regions", "us-east-1", "--types", "ec2:volume"]
    scanned = main([*argv, "--publish", "migration-hub", "--outbox", outbox, "--format", "json"])
    # Then the publish failed loudly and the exit code is 2, not the findings' 1
    err = capsys.readouterr().err
    assert "maptag: error: Migration Hub publish failed: no Migration Hub home region is set" in err
    assert scanned == EXIT_USAGE
    # And the same scan as the demo runs it (app.scan.run, its request built directly)
    result = run(ScanRequest.from_values(values), ScanConsole(enabled=False), io.StringIO())
    assert not result.published.ok
    assert result.totals.non_compliant == 1
    assert result.code == scanned
    # gives the demo the same code: its findings are by design, its failed publish is not
    assert demo.exit_code(result, check_ok=True) == scanned
    assert demo.exit_code(result, check_ok=False) == EXIT_USAGE


def test_the_demo_ignores_findings_but_not_a_verdict_other_than_the_seeded_one(
    hub_without_home_region: None, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"mpe_ids": ["mig12345"], "regions": ["us-east-1"], "types": ["ec2:volume"]}
    result = run(ScanRequest.from_values(values), ScanConsole(enabled=False), io.StringIO())
    # Then the scan says findings (1), the demo 0, or 1 when its check found a wrong verdict
    assert (result.code, result.published.ok) == (EXIT_FINDINGS, True)
    assert demo.exit_code(result, check_ok=True) == 0
    assert demo.exit_code(result, check_ok=False) == EXIT_FINDINGS
