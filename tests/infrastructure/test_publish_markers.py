"""The publish role may write its per-sink completion markers (maptag.run_store), nothing else
under the runs/ prefix: a retried publish reads them to deliver each sink once."""

from __future__ import annotations

from tests.support.iam import flat, resources_for, role_id, role_statements
from tests.support.synth import Synthesized


def test_publish_writes_reports_and_its_completion_markers_only(org_app: Synthesized) -> None:
    found = role_statements(org_app.scanner, role_id(org_app.scanner, "PublishRole"))
    written = sorted(flat(r).split("/", 1)[1] for r in resources_for(found, "s3:PutObject"))
    assert written == ["reports/*", "runs/*/published/*"]
    # and it reads the run's working data it rebuilds the report from
    read = {flat(r).split("/", 1)[1] for r in resources_for(found, "s3:GetObject")}
    assert "runs/*" in read
