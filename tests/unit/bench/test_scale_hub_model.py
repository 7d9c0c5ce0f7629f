"""bench/scale.py's Migration Hub part of publish (docs/deploy.md, "Scale")."""

from __future__ import annotations

import math
from dataclasses import replace

from bench.scale import DEPLOYED, LAMBDA_TIMEOUT_S, SERIAL_HUB, Measured, hub_publish, simulate

M = Measured()
UNITS = DEPLOYED.accounts * DEPLOYED.regions


def test_the_deployed_hub_publish_fits_lambdas_limit_even_on_the_first_run():
    daily, first = simulate(DEPLOYED, M), hub_publish(DEPLOYED, M, first=True)
    # a daily run notifies each task once, plus the listing; the first run imports each one too
    assert daily.hub_calls == UNITS + math.ceil(UNITS / 100) + 2
    assert first[0] == 2 * UNITS + 4
    # and the whole publish, first run included, leaves more than half of Lambda's 15 minutes
    assert daily.publish_s - daily.hub_s + first[1] < LAMBDA_TIMEOUT_S / 2


def test_one_task_after_another_would_not_fit():
    serial = simulate(replace(DEPLOYED, **SERIAL_HUB), M)  # type: ignore[arg-type]
    # a DescribeMigrationTask and a NotifyMigrationTaskState per task at 80 ms: ~45 minutes
    assert serial.hub_calls == 2 * UNITS + 2
    assert serial.publish_s > LAMBDA_TIMEOUT_S


def test_without_the_sink_there_are_no_hub_calls():
    assert hub_publish(replace(DEPLOYED, migration_hub=False), M, first=True) == (0, 0.0)
