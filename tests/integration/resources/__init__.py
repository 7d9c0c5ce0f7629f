"""Per-service tests of the resource types moto does not model (botocore's Stubber, with answers
the service model validates) and of each service's least privilege.

STUBBED names the types tested only here (no moto seeder): test_resources.py checks that every
declared type is either seeded in moto or stubbed here.
"""

from __future__ import annotations

STUBBED: frozenset[str] = frozenset({"ec2:capacity-reservation"})
