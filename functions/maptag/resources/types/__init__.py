"""The declarations, one module per AWS service (named after its ARN service namespace).

Each module holds a ``TYPES`` tuple; adding a type is adding a declaration to its service's
module (or a new module here): nothing else lists the types. ``declarations.py`` collects them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from maptag.resources.schema import ResourceType

# Scanned first (and named first when a unit fails): where a lift-and-shift's spend sits. Every
# other module follows in name order, so a new service needs no line here.
FIRST = ("ec2", "rds", "s3", "dynamodb", "lambda_", "elasticloadbalancing", "elasticfilesystem")


def declared() -> Iterator[ResourceType]:
    """Every declaration of every module in this package, module by module."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in sorted(names, key=lambda n: (FIRST.index(n) if n in FIRST else len(FIRST), n)):
        yield from importlib.import_module(f"{__name__}.{name}").TYPES
