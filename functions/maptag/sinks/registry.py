"""Every sink maptag has, one line each (docs/architecture.md, "Adding a sink").

The CLI's `--publish` (its choices and help), the deployment's `maptag:sinks` (its accepted
names and defaults), the laptop's publish (app/publish.py) and the deployed publish's dispatch
(app/workflow.py) all read this list. The order is the deployed delivery order (the digest, which
names the sinks skipped, goes last whatever the order).
"""

from __future__ import annotations

from maptag.sinks import events, history, metrics, migration_hub, security_hub, sns_digest
from maptag.sinks.sink import Sink

REGISTRY: tuple[Sink, ...] = (
    security_hub.SINK,
    sns_digest.SINK,
    events.SINK,
    metrics.SINK,
    migration_hub.SINK,
    history.SINK,
)
BY_NAME = {sink.name: sink for sink in REGISTRY}


def laptop() -> tuple[Sink, ...]:
    """`maptag scan --publish NAME` accepts these."""
    return tuple(sink for sink in REGISTRY if sink.laptop)


def deployed() -> tuple[Sink, ...]:
    """CDK context `maptag:sinks` accepts these."""
    return tuple(sink for sink in REGISTRY if sink.deployed)


def names(sinks: tuple[Sink, ...]) -> tuple[str, ...]:
    return tuple(sink.name for sink in sinks)


DEPLOYED_NAMES = names(deployed())
DEFAULT_NAMES = tuple(sink.name for sink in REGISTRY if sink.deployed and sink.default)
LAPTOP_NAMES = names(laptop())
