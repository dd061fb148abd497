"""``Result`` -> the contract's JSON object. Messages are rendered here, in the active
language; everything else is the same in every language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from waishi.policy.types import SEVERITY_ORDER, Finding, Result

# A check's verdict as a person reads it (the same words as the live check's badge).
VERDICT_LABELS = {
    "pass": gettext_lazy("Complies"),
    "warn": gettext_lazy("Complies, with warnings"),
    "fail": gettext_lazy("Does not comply"),
}


def verdict_label(verdict: str | None) -> str:
    """The verdict's label in the active language; "—" when there is none."""
    label = VERDICT_LABELS.get(verdict or "")
    return str(label) if label is not None else "—"


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "citation": finding.citation,
        "data": finding.data,
        "member": finding.member,
    }


def result_json(result: Result) -> dict[str, Any]:
    return {
        "policy": {"name": result.policy_name, "version": result.policy_version},
        "category": result.category,
        "days_abroad": result.days_abroad,
        "countries": list(result.countries),
        "verdict": result.verdict,
        "findings": [finding_json(finding) for finding in result.findings],
    }


def _order(finding: dict[str, Any]) -> tuple[int, str, int]:
    member = finding.get("member")
    return (SEVERITY_ORDER[finding["severity"]], finding["rule"], -1 if member is None else member)


def with_findings(payload: dict[str, Any], extra: list[Finding]) -> dict[str, Any]:
    """The contract's output ``payload`` with ``extra`` findings judged outside the
    contract's input (on the record: ``PLAN_YEAR``) added in the contract's order, and the
    verdict they make. The payload given is not changed."""
    if not extra:
        return payload
    findings = sorted([*payload["findings"], *map(finding_json, extra)], key=_order)
    severities = {f["severity"] for f in findings}
    verdict = "fail" if "error" in severities else "warn" if "warning" in severities else "pass"
    return payload | {"findings": findings, "verdict": verdict}


def exit_status(result: Result) -> int:
    """The command line's exit status: 1 when any finding is an error, else 0."""
    return 1 if result.verdict == "fail" else 0
