"""SageMaker endpoints (with a model and endpoint configuration) and notebook instances."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, service_role, tag_list

_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/inference:latest"


def _endpoint_config(ctx: SeedContext) -> str:
    def make() -> str:
        sagemaker = ctx.client("sagemaker")
        role = service_role(ctx, "maptag-seed-sagemaker", "sagemaker.amazonaws.com")
        sagemaker.create_model(
            ModelName="maptag-seed-model", ExecutionRoleArn=role, PrimaryContainer={"Image": _IMAGE}
        )
        sagemaker.create_endpoint_config(
            EndpointConfigName="maptag-seed-config",
            ProductionVariants=[
                {
                    "VariantName": "primary",
                    "ModelName": "maptag-seed-model",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.t2.medium",
                }
            ],
        )
        return "maptag-seed-config"

    return ctx.once("sagemaker-endpoint-config", make)


def endpoint(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("sagemaker").create_endpoint(
        EndpointName=name, EndpointConfigName=_endpoint_config(ctx), **tag_list(tags)
    )
    return str(made["EndpointArn"])


def notebook_instance(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("sagemaker").create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=service_role(ctx, "maptag-seed-sagemaker", "sagemaker.amazonaws.com"),
        **tag_list(tags),
    )
    return str(made["NotebookInstanceArn"])


SEEDERS: dict[str, Seeder] = {
    "sagemaker:endpoint": endpoint,
    "sagemaker:notebook-instance": notebook_instance,
}
