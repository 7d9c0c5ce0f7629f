"""`maptag types`: every supported type, how it is listed and read, its IAM, DB&A and Security Hub type."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from maptag.cli import main
from maptag.resources.declarations import BY_NAME, TYPE_NAMES


def _run(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["types", *argv]) == 0
    return out.getvalue()


def test_json_lists_every_type_with_its_facts() -> None:
    rows = {row["type"]: row for row in json.loads(_run("--format", "json"))["types"]}
    assert set(rows) == set(TYPE_NAMES)
    nat = rows["ec2:natgateway"]
    assert (nat["service"], nat["dba"], nat["tags_read_by"]) == ("ec2", False, "inline")
    assert nat["listed_by"].startswith("DescribeNatGateways (")
    rds = rows["rds:db"]
    assert rds["dba"] is True
    assert rds["security_hub_type"] == "AwsRdsDbInstance"
    assert rds["iam_actions"] == list(BY_NAME["rds:db"].all_actions(need_created=True))
    assert rows["route53:hostedzone"]["global"] is True
    assert rows["ec2:volume"]["parent"] == "ec2:instance"


@pytest.mark.parametrize("columns", [80, 200])
def test_the_table_fits_the_terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    text = _run()
    assert f"{len(TYPE_NAMES)} resource types" in text
    assert max(len(line) for line in text.splitlines()) <= columns
    assert all(name in text for name in TYPE_NAMES)


def test_markdown_is_the_docs_table() -> None:
    text = _run("--format", "markdown")
    assert text.startswith("| type | DB&A | listed by |")
    assert text.count("\n| `") == len(TYPE_NAMES)
