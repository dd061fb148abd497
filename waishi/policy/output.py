"""``Result`` -> the contract's JSON object. Messages are rendered here, in the active
language; everything else is the same in every language."""

from __future__ import annotations

from typing import Any

from waishi.policy.types import Finding, Result


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


def exit_status(result: Result) -> int:
    """The command line's exit status: 1 when any finding is an error, else 0."""
    return 1 if result.verdict == "fail" else 0
