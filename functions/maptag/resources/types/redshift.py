"""Redshift provisioned clusters (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, ResourceType, skip

CLUSTER = ResourceType(
    name="redshift:cluster",
    service="redshift",
    listing=Listing("describe_clusters", "Clusters[]", 100),
    id="ClusterIdentifier",
    arn="arn:{partition}:redshift:{region}:{account}:cluster:{id}",
    created="ClusterCreateTime",
    tags=Inline(),
    skip=skip("ClusterStatus", "deleting", "final-snapshot"),
    actions=("redshift:DescribeClusters",),
    dba=True,
    securityhub="AwsRedshiftCluster",
)

TYPES = (CLUSTER,)
