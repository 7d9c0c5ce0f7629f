"""WorkSpaces, in a Simple AD directory registered with WorkSpaces."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, default_vpc, tag_list


def _directory(ctx: SeedContext) -> str:
    def make() -> str:
        subnets = default_subnets(ctx)
        directory = ctx.client("ds").create_directory(
            Name="corp.example.com",
            Password="Seed-Passw0rd!",
            Size="Small",
            VpcSettings={"VpcId": default_vpc(ctx), "SubnetIds": subnets},
        )["DirectoryId"]
        ctx.client("workspaces").register_workspace_directory(DirectoryId=directory, SubnetIds=subnets)
        return str(directory)

    return ctx.once("workspaces-directory", make)


def workspace(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    request = {
        "DirectoryId": _directory(ctx),
        "UserName": name,
        "BundleId": "wsb-bh8rsxt14",
        **tag_list(tags),
    }
    made = ctx.client("workspaces").create_workspaces(Workspaces=[request])
    if made.get("FailedRequests"):
        raise RuntimeError(f"moto did not create workspace {name}: {made['FailedRequests']}")
    return ctx.arn("workspaces", f"workspace/{made['PendingRequests'][0]['WorkspaceId']}")


SEEDERS: dict[str, Seeder] = {"workspaces:workspace": workspace}
