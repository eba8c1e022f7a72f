"""The audit step of `make test` (.ci/npm_audit.py): npm audit's JSON report decides, and a registry that gives no
report skips the step with the reason instead of failing a machine that is offline."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "npm_audit.py"
spec = importlib.util.spec_from_file_location("npm_audit", SCRIPT)
assert spec is not None and spec.loader is not None
npm_audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(npm_audit)


def report(**counts: int) -> str:
    """A report in npm audit's --json form (auditReportVersion 2)."""
    levels = {"info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 0, **counts}
    vulnerabilities = {
        f"pkg-{level}": {"name": f"pkg-{level}", "severity": level, "isDirect": False, "via": [], "range": "*"}
        for level, n in levels.items()
        if n
    }
    return json.dumps(
        {
            "auditReportVersion": 2,
            "vulnerabilities": vulnerabilities,
            "metadata": {"vulnerabilities": {**levels, "total": sum(levels.values())}},
        }
    )


def test_high_or_critical_advisories_fail_and_name_the_packages():
    code, message = npm_audit.verdict(report(high=1, low=2))
    assert code == 1 and "1 high" in message and "pkg-high" in message and "pkg-low" not in message
    code, message = npm_audit.verdict(report(critical=1))
    assert code == 1 and "pkg-critical" in message


def test_low_and_moderate_advisories_pass_and_are_counted():
    code, message = npm_audit.verdict(report(low=3, moderate=1))
    assert code == 0 and "no high or critical" in message and "3 low, 1 moderate" in message


def test_no_report_skips_with_the_reason():
    # What npm prints when the registry (a mirror here) has no audit service.
    refused = json.dumps({"message": "405 Method Not Allowed - POST", "statusCode": 405, "error": {"summary": ""}})
    code, message = npm_audit.verdict(refused)
    assert code == 0 and "SKIPPED" in message and "405 Method Not Allowed" in message
    code, message = npm_audit.verdict("")
    assert code == 0 and "SKIPPED" in message and "no output" in message
