"""`pip install .` gives the CLI without the demo's embedded AWS (moto, time-machine): issue 12.

The wheel is built with the project's own build backend (hatchling's PEP 517 hook, what pip
calls) and unpacked into a directory, which is what installing a pure-Python wheel with
`--no-deps` amounts to. Each command then runs in a subprocess whose import system refuses
every module that neither the standard library nor the wheel's declared dependencies (their
closure, as installed here) provide, as a machine with only `pip install .` would.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import boto3
import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# argv: site dir, allowed top-level modules (JSON), then maptag's arguments. It runs the wheel's
# own console-script entry point, from the unpacked wheel, never from the checkout.
BOOTSTRAP = """
import importlib.abc, json, sys
from importlib import metadata
site, allowed = sys.argv[1], set(json.loads(sys.argv[2]))

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        # _sysconfigdata_<platform> is the standard library's, not in sys.stdlib_module_names
        if name.partition(".")[0] not in allowed and not name.startswith("_sysconfigdata_"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.path[:] = [site] + [p for p in sys.path if not p.rstrip("/").endswith("/functions") and p != ""]
(dist,) = [d for d in metadata.distributions(path=[site]) if d.metadata["Name"] == "maptag"]
(script,) = dist.entry_points.select(group="console_scripts", name="maptag")
main = script.load()
import maptag
assert maptag.__file__.startswith(site), maptag.__file__
sys.argv = ["maptag", *sys.argv[3:]]
sys.exit(main())
"""


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_closure(requirements: list[str]) -> set[str]:
    """The distributions a plain install of these requirements brings (as installed here)."""
    found: set[str] = set()
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = _normal(requirement.name)
        extras = sorted(requirement.extras)
        key = f"{name}[{','.join(extras)}]"
        if key in found:
            continue
        found.add(key)
        for text in metadata.requires(name) or []:
            todo += [(Requirement(text), wanted) for wanted in ["", *extras]]
    return {key.partition("[")[0] for key in found}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """(site directory holding the unpacked wheel, the top-level modules a plain install provides)."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-c", f"from hatchling.build import build_wheel; print(build_wheel({str(out)!r}))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(out / built.stdout.strip()) as wheel:
        wheel.extractall(site)
        (info,) = {name.split("/")[0] for name in wheel.namelist() if ".dist-info/" in name}
    requires = metadata.Distribution.at(site / info).requires or []
    closure = declared_closure(requires)
    modules = {
        module
        for module, dists in metadata.packages_distributions().items()
        if any(_normal(dist) in closure for dist in dists)
    }
    allowed = sorted(modules | set(sys.stdlib_module_names) | {"maptag"})
    return site, allowed


def maptag(installed: tuple[Path, list[str]], *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    site, allowed = installed
    command = [sys.executable, "-c", BOOTSTRAP, str(site), json.dumps(allowed), *argv]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_the_wheel_declares_moto_and_time_machine_only_in_the_demo_extra(
    installed: tuple[Path, list[str]],
) -> None:
    _, allowed = installed
    # A plain install brings neither, not even through another dependency
    assert not {"moto", "time_machine", "werkzeug", "flask"} & set(allowed)
    # And boto3, rich and pydantic (what the CLI needs) are there
    assert {"boto3", "botocore", "rich", "pydantic"} <= set(allowed)


def test_help_scan_help_and_types_work_without_the_extra(
    installed: tuple[Path, list[str]], tmp_path: Path
) -> None:
    overview = maptag(installed, "--help", cwd=tmp_path)
    assert overview.returncode == 0, overview.stderr
    assert overview.stdout.startswith("usage: maptag")
    assert " demo " in overview.stdout

    scan = maptag(installed, "scan", "--help", cwd=tmp_path)
    assert scan.returncode == 0, scan.stderr
    assert "--mpe-id" in scan.stdout

    types = maptag(installed, "types", cwd=tmp_path)
    assert types.returncode == 0, types.stderr
    assert "ec2:instance" in types.stdout
    assert "s3:bucket" in types.stdout


def test_demo_without_the_extra_says_how_to_get_it(installed: tuple[Path, list[str]], tmp_path: Path) -> None:
    result = maptag(installed, "demo", "--output-dir", str(tmp_path / "out"), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "maptag: error: demo: the embedded AWS is not installed (no module 'moto'): "
        "pip install 'maptag[demo]'\n"
    )
    assert not (tmp_path / "out").exists()  # nothing written before the refusal


def test_hub_serve_needs_no_extra(installed: tuple[Path, list[str]], tmp_path: Path) -> None:
    # The local Migration Hub is the standard library's WSGI server over botocore's model
    site, allowed = installed
    command = [sys.executable, "-c", BOOTSTRAP, str(site), json.dumps(allowed)]
    argv = ["hub", "serve", "--port", "0", "--home-region", "us-east-1"]
    with subprocess.Popen(
        [*command, *argv], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
            found = re.match(r"Local Migration Hub on (http://127\.0\.0\.1:\d+) ", first)
            assert found, f"hub serve did not start: {first!r}"
            mgh = boto3.client("mgh", region_name="us-east-1", endpoint_url=found[1])
            mgh.create_progress_update_stream(ProgressUpdateStreamName="MAP-Tagging")
            streams = mgh.list_progress_update_streams()["ProgressUpdateStreamSummaryList"]
            assert [s["ProgressUpdateStreamName"] for s in streams] == ["MAP-Tagging"]
        finally:
            server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=10)
    assert server.returncode == 0, err
