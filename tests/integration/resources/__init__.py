"""Per-service tests of the resource types moto does not model (botocore's Stubber, with answers
the service model validates) and of each service's least privilege.

STUBBED names the types tested only here (no moto seeder): test_resources.py checks that every
declared type is either seeded in moto or stubbed here.
"""

from __future__ import annotations

STUBBED: frozenset[str] = frozenset(
    {
        # moto models no FSx volumes, AWS Backup recovery points, Glacier tags or Storage Gateway;
        # its FSx file systems have no CreationTime
        "fsx:file-system",
        "fsx:volume",
        "backup:recoveryPoint",
        "glacier:vault",
        "storagegateway:gateway",
    }
)
