"""`maptag scan` refuses bad input of every kind with exit code 2 and exactly one line on
stderr that names the bad value, never a traceback (docs/contracts.md, "CLI"; PROTOCOL quality bar).

Every case fails before any AWS call, so no AWS stand-in is needed here; the scans
themselves are tested against moto in cli/test_scan.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maptag.cli import main

MPE = ["scan", "--mpe-id", "12345"]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, out: str, err: str, *named: str) -> None:
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("maptag: error: ")
    for text in named:
        assert text in lines[0]


FLAG_CASES = [
    # (flags after `scan`, what the line must name)
    ([], ["--mpe-id", "required"]),
    (["--mpe-id", "1234x"], ["--mpe-id", "'1234x'"]),
    (["--mpe-id", "abcde12345"], ["--mpe-id", "'abcde12345'", "upper-case"]),
    (["--mpe-id", "MIG12345"], ["--mpe-id", "'MIG12345'"]),
    (["--mpe-id", "mig-12345"], ["--mpe-id", "'mig-12345'"]),
    (["--mpe-id", "mig 12345"], ["--mpe-id", "'mig 12345'"]),
    (["--mpe-id", "12345 "], ["--mpe-id", "'12345 '"]),
    (["--mpe-id", "A" * 45], ["--mpe-id", "'AAAA"]),
    (["--mpe-id", "12345", "--mpe-id", "x!"], ["--mpe-id", "'x!'"]),
    ([*MPE[1:], "--regions", "us-east-x"], ["--regions", "'us-east-x'"]),
    ([*MPE[1:], "--regions", "us-east-1,Mars"], ["--regions", "'Mars'"]),
    ([*MPE[1:], "--regions", ","], ["--regions", "','"]),
    ([*MPE[1:], "--accounts", "12345"], ["--accounts", "'12345'"]),
    ([*MPE[1:], "--accounts", "123456789012,abc"], ["--accounts", "'abc'"]),
    ([*MPE[1:], "--accounts", "123456789012", "--org"], ["--org", "--accounts", "123456789012"]),
    ([*MPE[1:], "--role-name", "bad role"], ["--role-name", "'bad role'"]),
    ([*MPE[1:], "--agreement-start", "2025-02-30"], ["--agreement-start", "'2025-02-30'"]),
    ([*MPE[1:], "--agreement-start", "2025-13-01"], ["--agreement-start", "'2025-13-01'"]),
    ([*MPE[1:], "--agreement-start", "25-01-01"], ["--agreement-start", "'25-01-01'"]),
    ([*MPE[1:], "--agreement-start", "yesterday"], ["--agreement-start", "'yesterday'"]),
    ([*MPE[1:], "--types", "ec2:instances"], ["--types", "'ec2:instances'"]),
    ([*MPE[1:], "--types", "ec2:instance,S3:bucket"], ["--types", "'S3:bucket'"]),
    ([*MPE[1:], "--exclude", "Environment=dev"], ["--exclude", "'Environment=dev'"]),
    ([*MPE[1:], "--exclude", "tag:"], ["--exclude", "'tag:'"]),
    ([*MPE[1:], "--max-concurrency", "0"], ["--max-concurrency", "'0'"]),
    ([*MPE[1:], "--max-concurrency", "65"], ["--max-concurrency", "'65'"]),
    ([*MPE[1:], "--max-concurrency", "many"], ["--max-concurrency", "'many'"]),
    ([*MPE[1:], "--format", "xml"], ["--format", "'xml'"]),
    ([*MPE[1:], "--fail-under", "101"], ["--fail-under: 101 is not"]),
    ([*MPE[1:], "--fail-under", "-1"], ["--fail-under", "-1"]),
    ([*MPE[1:], "--fail-under", "ninety"], ["--fail-under", "'ninety'"]),
    ([*MPE[1:], "--fail-under", "nan"], ["--fail-under", "nan"]),
    ([*MPE[1:], "--fail-under", "inf"], ["--fail-under", "inf"]),
    ([*MPE[1:], "--publish", "nowhere"], ["--publish", "'nowhere'", "migration-hub"]),
    ([*MPE[1:], "--publish", "migration-hub,slack"], ["--publish", "'slack'"]),
    ([*MPE[1:], "--publish", "migration-hub", "--stream", "a|b"], ["--stream", "'a|b'"]),
    (
        [*MPE[1:], "--publish", "migration-hub", "--next-update-seconds", "-5"],
        ["--next-update-seconds", "-5"],
    ),
    ([*MPE[1:], "--output", ""], ["--output", "''"]),
    ([*MPE[1:], "--colour", "blue"], ["--colour"]),
]


@pytest.mark.parametrize(
    ("flags", "named"), FLAG_CASES, ids=[" ".join(c[0]) or "no flags" for c in FLAG_CASES]
)
def test_bad_flag(flags: list[str], named: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(*run_cli(["scan", *flags], capsys), *named)


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ("/no/such/directory/report.json", ["--output", "'/no/such/directory/report.json'", "No such file"]),
        ("/proc/maptag-report.json", ["--output", "'/proc/maptag-report.json'"]),
        ("{tmp}", ["--output", "is a directory"]),
        ("{tmp}/file/report.json", ["--output", "report.json'"]),
    ],
    ids=["missing directory", "unwritable directory", "a directory", "below a file"],
)
def test_unwritable_output(
    where: str, named: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("not a directory")
    target = where.format(tmp=tmp_path)

    assert_one_line_error(*run_cli([*MPE, "--output", target], capsys), *named)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"], "nothing left behind"


CONFIG_CASES = [
    # (TOML text, what the line must name)
    ('colour = "blue"', ["unknown setting 'colour'"]),
    ("mpe-id = 12345", ["'mpe-id'", ": 12345 is not a string or a list of strings"]),
    ('mpe-id = ["abcde12345"]', ["'mpe-id'", "'abcde12345'"]),
    ('mpe-id = "12345"\nmpe_id = "67890"', ["'mpe-id'", "given twice"]),
    ('mpe-id = "12345"\nregions = 5', ["'regions'", ": 5 is not"]),
    ('mpe-id = "12345"\nregions = ["us-east-x"]', ["'regions'", "'us-east-x'"]),
    ('mpe-id = "12345"\nregions = []', ["'regions'", ": [] is empty"]),
    ('mpe-id = "12345"\naccounts = ["1"]', ["'accounts'", "'1'"]),
    ('mpe-id = "12345"\norg = "yes"', ["'org'", "'yes'", "true or false"]),
    ('mpe-id = "12345"\nrole-name = 5', ["'role-name'", "5"]),
    ('mpe-id = "12345"\nrole-name = "a b"', ["'role-name'", "'a b'"]),
    ('mpe-id = "12345"\nagreement-start = 2025-02-30', ["invalid TOML", "agreement-start = 2025-02-30"]),
    ('mpe-id = "12345"\nagreement-start = "2025-02-30"', ["'agreement-start'", "'2025-02-30'"]),
    (
        'mpe-id = "12345"\nagreement-start = 2025-01-01T10:00:00',
        ["'agreement-start'", "2025-01-01T10:00:00 is not a date"],
    ),
    ('mpe-id = "12345"\ntypes = ["ec2:instances"]', ["'types'", "'ec2:instances'"]),
    ('mpe-id = "12345"\nexclude = ["Environment=dev"]', ["'exclude'", "'Environment=dev'"]),
    ('mpe-id = "12345"\naccept-legacy = 1', ["'accept-legacy'", ": 1 is not true or false"]),
    ('mpe-id = "12345"\nmax-concurrency = "8"', ["'max-concurrency'", "'8'", "an integer"]),
    ('mpe-id = "12345"\nmax-concurrency = 0', ["'max-concurrency'", "'0'"]),
    ('mpe-id = "12345"\nprefixes = ["xyz"]', ["'prefixes'", "'xyz'"]),
    ('mpe-id = "12345"\nformat = "xml"', ["'format'", "'xml'"]),
    ('mpe-id = "12345"\noutput = "/no/such/dir/r.json"', ["'output'", "'/no/such/dir/r.json'"]),
    ('mpe-id = "12345"\npublish = ["slack"]', ["'publish'", "'slack'"]),
    ('mpe-id = "12345"\ndry-run = "no"', ["'dry-run'", "'no'"]),
    ('mpe-id = "12345"\nfail-under = "90"', ["'fail-under'", "'90'", "a number"]),
    ('mpe-id = "12345"\nfail-under = 101', ["'fail-under'", "101"]),
    ('mpe-id = "12345"\npublish = "migration-hub"\nstream = "a:b"', ["'stream'", "'a:b'"]),
    ('mpe-id = "12345"\nserver-tasks = 1', ["'server-tasks'", "1"]),
    ('mpe-id = "12345"\nnext-update-seconds = 1.5', ["'next-update-seconds'", ": 1.5 is not an integer"]),
    ('mpe-id = "12345"\noutbox = 5', ["'outbox'", "5"]),
    ('mpe-id = ["12345",', ["invalid TOML", 'mpe-id = ["12345",']),
    ('mpe-id = "12345"\nregions = us-east-1', ["invalid TOML", "regions = us-east-1"]),
]


@pytest.mark.parametrize(("text", "named"), CONFIG_CASES, ids=[c[0].splitlines()[-1] for c in CONFIG_CASES])
def test_bad_config(text: str, named: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "scan.toml"
    config.write_text(text + "\n")

    assert_one_line_error(*run_cli(["scan", "--config", str(config)], capsys), *named)


def test_config_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    assert_one_line_error(*run_cli(["scan", "--config", str(missing)], capsys), "--config", "missing.toml'")

    assert_one_line_error(*run_cli(["scan", "--config", str(tmp_path)], capsys), "--config", "Is a directory")

    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe mpe-id = 1")
    assert_one_line_error(*run_cli(["scan", "--config", str(binary)], capsys), "binary.toml'", "not UTF-8")


def test_a_flag_fixes_a_bad_config_value_only_if_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Flags win over the file, so a wrong value in the file is named only when it is used.
    config = tmp_path / "scan.toml"
    config.write_text('mpe-id = "12345"\nformat = "json"\n')

    assert_one_line_error(
        *run_cli(["scan", "--config", str(config), "--format", "pdf"], capsys), "--format", "'pdf'"
    )


def test_unknown_profile(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    assert_one_line_error(*run_cli(MPE, capsys), "no-such-profile")


def test_no_region(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert_one_line_error(*run_cli(MPE, capsys), "--regions", "AWS_REGION")


def test_no_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert_one_line_error(*run_cli(MPE, capsys), "no AWS credentials")
