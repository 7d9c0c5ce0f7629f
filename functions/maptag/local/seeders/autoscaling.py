"""Auto Scaling groups in moto (moto starts no instances for them)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets


def _launch_configuration(ctx: SeedContext) -> str:
    def make() -> str:
        ctx.client("autoscaling").create_launch_configuration(
            LaunchConfigurationName="seed-launch", ImageId="ami-12345678", InstanceType="t3.micro"
        )
        return "seed-launch"

    return ctx.once("launch-configuration", make)


def auto_scaling_group(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    autoscaling = ctx.client("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName=_launch_configuration(ctx),
        MinSize=0,
        MaxSize=2,
        VPCZoneIdentifier=",".join(default_subnets(ctx)),
        Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in (tags or {}).items()],
    )
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    return str(found["AutoScalingGroups"][0]["AutoScalingGroupARN"])


SEEDERS: dict[str, Seeder] = {"autoscaling:autoScalingGroup": auto_scaling_group}
