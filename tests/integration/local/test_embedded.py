"""The embedded AWS's limits (maptag.local.embedded) hold against this moto, both ways.

Each type moto is said not to model fails its unit when listed in moto; every other type lists
an empty account cleanly. A moto upgrade that adds a service turns this red, so the demo starts
scanning it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.aws import Clients
from maptag.local.embedded import EMBEDDED_TYPES, NOT_MODELLED
from maptag.model import ScanUnit
from maptag.resources.declarations import TYPE_NAMES
from maptag.scan import scan_unit
from tests.support.moto_seed import ACCOUNT, policy

REGION = "us-east-1"


@pytest.fixture(scope="module")
def clients() -> Iterator[Clients]:
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_MAX_ATTEMPTS", "1")
        env.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        with mock_aws():
            yield Clients(boto3.Session(region_name=REGION), REGION)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_the_embedded_aws_lists_exactly_the_embedded_types(clients: Clients, name: str) -> None:
    result = scan_unit(
        ScanUnit(ACCOUNT, REGION), clients, policy(regions=[REGION], types=[name]), lambda _: None
    )
    if name in NOT_MODELLED:
        assert result.status == "failed", f"moto lists {name} now: take it out of NOT_MODELLED"
    else:
        assert (result.status, result.error) == ("ok", None)
    assert (name in EMBEDDED_TYPES) == (name not in NOT_MODELLED)
