"""Transfer Family servers."""

from __future__ import annotations

from maptag.resources.schema import Detail, Inline, Listing, ResourceType

SERVER = ResourceType(
    name="transfer:server",
    service="transfer",
    listing=Listing("list_servers", "Servers[]", 1000),
    id="ServerId",
    arn="Arn",
    iam_arn="arn:{partition}:transfer:{region}:{account}:server/{id}",
    # Neither ListServers nor DescribeServer gives a creation time.
    created=None,
    # DescribeServer carries the tags (one call per server, as a tag read would be); a server
    # stopped (OFFLINE) is still billed, so no state is skipped.
    detail=Detail("describe_server", lambda item: {"ServerId": item["ServerId"]}, "Server", always=True),
    tags=Inline(),
    actions=("transfer:ListServers", "transfer:DescribeServer"),
    arn_actions=("transfer:DescribeServer",),
)

TYPES = (SERVER,)
