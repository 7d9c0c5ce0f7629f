"""Judge throughput: resources judged per second by maptag's pure judge, on one core.

The tags are the benchmark estate's mix (bench/estate.py): mostly compliant, every defect
kind present. Prints one JSON line: {"judged_per_s": ..., "evaluated_per_s": ...}, where
"evaluated" adds scope and the Finding (what the scan does per resource besides AWS).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime

from bench.estate import TagDealer
from maptag.judge import judge
from maptag.model import Resource
from maptag.policy import Policy
from maptag.scan import evaluate

SAMPLES = 50_000
REPEATS = 5


def main() -> None:
    policy = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])
    dealer = TagDealer(seed=6)
    kinds = ("ec2:instance", "ec2:volume", "rds:db", "s3:bucket")
    tag_sets = [dealer.deal(kinds[i % len(kinds)]) for i in range(SAMPLES)]
    created = datetime(2026, 1, 1, tzinfo=UTC)
    resources = [
        Resource(
            arn=f"arn:aws:ec2:us-east-1:123456789012:volume/vol-{i:017x}",
            type="ec2:volume",
            account_id="123456789012",
            region="us-east-1",
            resource_id=f"vol-{i:017x}",
            created=created,
            tags=tags,
        )
        for i, tags in enumerate(tag_sets)
    ]

    def rate(work: object) -> float:
        runs = []
        for _ in range(REPEATS):
            start = time.process_time()  # CPU time of this (single-threaded) process
            work()  # type: ignore[operator]
            runs.append(SAMPLES / (time.process_time() - start))
        return statistics.median(runs)

    judged = rate(lambda: [judge(tags, policy) for tags in tag_sets])
    evaluated = rate(lambda: [evaluate(resource, policy, {}) for resource in resources])
    print(
        json.dumps({"judged_per_s": round(judged), "evaluated_per_s": round(evaluated), "samples": SAMPLES})
    )


if __name__ == "__main__":
    main()
