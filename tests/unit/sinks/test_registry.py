"""One registry of sinks (sinks/registry.py): the CLI's --publish, the deployment's maptag:sinks
and the workflow's dispatch all take what the sink modules declare, and nothing else."""

from __future__ import annotations

import pytest

from maptag.app.errors import UsageError
from maptag.app.settings import resolve
from maptag.app.workflow import SINKS
from maptag.cli import build_parser
from maptag.deploy_config import DEFAULT_SINKS, DeployConfig
from maptag.policy import PolicyError
from maptag.sinks.registry import REGISTRY

ENGAGEMENT = {"maptag:mpe_ids": "98765", "maptag:regions": "us-east-1"}


def _publish_help() -> str:
    (commands,) = [action for action in build_parser()._actions if action.dest == "command"]
    scan = commands.choices["scan"]  # type: ignore[index]
    (publish,) = [action for action in scan._actions if "--publish" in action.option_strings]
    return str(publish.help)


def test_every_registered_sink_is_offered_where_it_runs() -> None:
    assert REGISTRY, "no sink registered"
    assert len({sink.name for sink in REGISTRY}) == len(REGISTRY), "a name registered twice"
    shown = _publish_help()
    listed = set(shown[shown.index("(") + 1 : shown.rindex(")")].split(", "))
    for sink in REGISTRY:
        assert sink.laptop or sink.deployed, f"{sink.name} runs nowhere"
        assert sink.help, sink.name
        assert "\n" not in sink.help, sink.name
        # On a laptop: named in `maptag scan --help` and accepted by --publish
        assert (sink.name in listed) == sink.laptop, (sink.name, shown)
        if sink.laptop:
            assert resolve({"publish": [sink.name]}, None).values["publish"] == [sink.name]
        else:
            with pytest.raises(UsageError, match=rf"^--publish: unknown sink '{sink.name}' \(known: "):
                resolve({"publish": [sink.name]}, None)
        # Deployed: accepted in maptag:sinks, dispatched by the workflow, default as declared
        assert (sink.name in SINKS) == sink.deployed, sink.name
        assert (sink.name in DEFAULT_SINKS) == (sink.deployed and sink.default), sink.name
        if sink.deployed:
            config = DeployConfig.from_context({**ENGAGEMENT, "maptag:sinks": sink.name})
            assert config.sinks == (sink.name,)
        else:
            with pytest.raises(PolicyError, match=rf"^maptag:sinks: unknown sink '{sink.name}' \(known: "):
                DeployConfig.from_context({**ENGAGEMENT, "maptag:sinks": sink.name})


def test_a_name_no_sink_declares_is_refused_on_the_laptop_and_in_the_deployment() -> None:
    with pytest.raises(UsageError, match=r"^--publish: unknown sink 'slack' \(known: history, "):
        resolve({"publish": ["history", "slack"]}, None)
    with pytest.raises(PolicyError, match=r"^maptag:sinks: unknown sink 'slack' \(known: security-hub, "):
        DeployConfig.from_context({**ENGAGEMENT, "maptag:sinks": "security-hub,slack"})
