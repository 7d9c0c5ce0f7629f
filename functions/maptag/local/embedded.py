"""What the embedded AWS (moto) can answer: the demo and the tests scan only these types.

moto has no Redshift Serverless, ElastiCache Serverless, DocumentDB Elastic, … (docs/toolchain.md):
a list call to them raises "not implemented" (a 500 from its server), so a scan of every type
against moto would fail its units. On AWS every declared type is scanned. The list is checked
against moto by tests/integration/local/test_embedded.py, so it cannot go stale as moto grows.
"""

from __future__ import annotations

from maptag.resources.declarations import TYPE_NAMES

# Types whose listing call moto does not implement.
NOT_MODELLED: frozenset[str] = frozenset(
    {
        "elasticache:serverlesscache",
        "redshift-serverless:workgroup",
        "redshift-serverless:namespace",
        "docdb-elastic:cluster",
        "ec2:capacity-reservation",
        "fsx:volume",
        "storagegateway:gateway",
    }
)

# Types moto lists, but whose resources its Tagging API (GetResources) does not index, where
# AWS's does: their tags read through it would look absent. The demo seeds none of them.
UNINDEXED: frozenset[str] = frozenset({"kinesis:stream", "memorydb:cluster", "dax:cache", "es:domain"})

EMBEDDED_TYPES: tuple[str, ...] = tuple(name for name in TYPE_NAMES if name not in NOT_MODELLED)

# Types whose tags moto 5.2.5 cannot write through the Tagging API ("Service not yet supported")
# or cannot untag (WorkSpaces); and ECS tasks, whose lastStatus moto moves on at every
# DescribeTasks, so the fix's re-read finds them stopped. `maptag demo --fix` fixes the others;
# tests/integration/fix/test_writers.py drives these types' writes through the Stubber.
UNWRITABLE: frozenset[str] = frozenset(
    {
        "acm-pca:certificate-authority", "dax:cache", "ecr:repository", "eks:cluster", "eks:nodegroup",
        "elasticbeanstalk:environment", "elasticmapreduce:cluster", "emr-serverless:application", "es:domain",
        "kinesis:stream", "memorydb:cluster", "mq:broker", "network-firewall:firewall", "redshift:cluster",
        "route53:hostedzone", "transfer:server", "workspaces:workspace", "ecs:task",
    }
)  # fmt: skip

WRITABLE_TYPES: tuple[str, ...] = tuple(name for name in EMBEDDED_TYPES if name not in UNWRITABLE)
