"""EMR clusters in moto (moto starts no EC2 instances for them)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    emr = ctx.client("emr")
    found = emr.run_job_flow(
        Name=name,
        ReleaseLabel="emr-7.1.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "SlaveInstanceType": "m5.xlarge",
            "InstanceCount": 3,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
        **tag_list(tags),
    )
    return str(emr.describe_cluster(ClusterId=found["JobFlowId"])["Cluster"]["ClusterArn"])


SEEDERS: dict[str, Seeder] = {"elasticmapreduce:cluster": cluster}
