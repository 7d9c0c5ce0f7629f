"""Elastic Beanstalk environments in moto (moto starts none of their instances)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def _application(ctx: SeedContext) -> str:
    def make() -> str:
        ctx.client("elasticbeanstalk").create_application(ApplicationName="seed-app")
        return "seed-app"

    return ctx.once("beanstalk-application", make)


def environment(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("elasticbeanstalk").create_environment(
        ApplicationName=_application(ctx),
        EnvironmentName=name,
        SolutionStackName="64bit Amazon Linux 2023 v4.1.0 running Python 3.11",
        **tag_list(tags),
    )
    return str(found["EnvironmentArn"])


SEEDERS: dict[str, Seeder] = {"elasticbeanstalk:environment": environment}
