"""The live check in the browser: a draft trip -> findings rendered as an htmx fragment.

``evaluate`` is what every form uses (the trip application posts its draft, the FAO's
trial page posts JSON); ``policy/_findings.html`` renders its answer. Bad or incomplete
input is not an error page: a draft is incomplete by nature, so the fragment says which
field the checker needs next and keeps the rest of the page as typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from waishi.policy import labels
from waishi.policy.output import result_json
from waishi.policy.run import judge
from waishi.policy.selectors import policy_in_force_db
from waishi.policy.types import InputError

SEVERITIES = ("error", "warning", "info")


@dataclass
class LiveCheck:
    result: dict[str, Any] | None = None  # the contract's output (result_json)
    error: str | None = None  # why the input cannot be judged yet, naming the field
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.result["findings"] if self.result else []

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "warning"]


def evaluate(data: Any, *, on: date | None = None) -> LiveCheck:
    """Check ``data`` (the contract's input) under the policy version in force on ``on``
    (default: ``submitted_on``, else today). Never raises for bad input."""
    try:
        result = judge(data, on=on, lookup=policy_in_force_db)
    except InputError as exc:
        return LiveCheck(error=labels.input_error_words(exc))
    return counted(result_json(result))


def counted(payload: dict[str, Any]) -> LiveCheck:
    """A check's output (``result_json``, perhaps with findings of the record added:
    ``output.with_findings``) as the fragment shows it, with its counts per severity."""
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in payload["findings"]:
        counts[finding["severity"]] += 1
    return LiveCheck(result=payload, counts=counts)
