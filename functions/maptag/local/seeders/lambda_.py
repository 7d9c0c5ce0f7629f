"""Lambda functions (moto stores the code without running it: no Docker is needed)."""

from __future__ import annotations

import io
import zipfile

from maptag.local.seeders import SeedContext, Seeder, Tags, service_role


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


FUNCTION_ZIP = _function_zip()


def function(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=service_role(ctx, "seed-lambda-execution", "lambda.amazonaws.com"),
        Handler="index.handler",
        Code={"ZipFile": FUNCTION_ZIP},
        **({"Tags": dict(tags)} if tags else {}),
    )
    return str(found["FunctionArn"])


SEEDERS: dict[str, Seeder] = {"lambda:function": function}
