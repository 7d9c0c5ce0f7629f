"""What moto (docs/toolchain.md) does not answer as AWS does, for the tests that depend on it.

STUBBED names the types moto does not model: they are tested only through botocore's Stubber,
with answers the service model validates, in tests/integration/resources/test_<service>.py;
tests/integration/resources/test_every_type.py checks that every declared type is either seeded
in moto or stubbed.
"""

from __future__ import annotations

from maptag.local.embedded import NOT_MODELLED, UNINDEXED

# The types moto cannot list (maptag.local.embedded.NOT_MODELLED), and those it lists but not as
# AWS answers: its FSx file systems have no CreationTime; it models no AWS Backup recovery points
# and no Glacier tags.
STUBBED: frozenset[str] = NOT_MODELLED | {"fsx:file-system", "backup:recoveryPoint", "glacier:vault"}

# moto's GetResources indexes none of these services' resources, where AWS's answers for every
# type (Resource Groups Tagging API Reference, "Services that support the Resource Groups
# Tagging API": GetResources supports all resource types). In moto their tags are read with the
# Tagging API denied, through each type's own per-resource fallback (resources/test_every_type.py); the
# batched read is checked with Stubber in resources/test_<service>.py.
UNINDEXED_BY_MOTO: frozenset[str] = UNINDEXED
