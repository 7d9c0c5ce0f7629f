"""Where a scan's results go besides the report file (docs/contracts.md, "The pipeline").

SINKS names the sinks `maptag scan --publish NAME,...` accepts, each with one line saying
what it does; the CLI refuses any other name with a one-line error before scanning. Adding
a sink to the CLI is adding its entry here and its call in commands/scan.py `publish`.
"""

from __future__ import annotations

SINKS: dict[str, str] = {
    "migration-hub": "one AWS Migration Hub task per account × region, its state the coverage",
    "history": "coverage per run × unit × type appended to the local history file (maptag history)",
    "security-hub": "one finding per non-compliant resource in your Security Hub; fixed ones resolved",
}
