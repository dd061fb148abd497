"""axe-core in the browser tests: the vendored copy (package.json pins it; `npm run vendor`
copies it to waishi/static/vendor/axe-core/) is injected into the page under test and run
there. No page of the application loads it.

The script is added by URL from the live server, not inlined: the pages' Content Security
Policy (script-src 'self') refuses inline scripts, and a test should see the page with the
policy it ships with.
"""

from __future__ import annotations

from pathlib import Path

AXE_STATIC = "vendor/axe-core/axe.min.js"
AXE_FILE = Path(__file__).resolve().parents[2] / "waishi" / "static" / AXE_STATIC
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe's violations on the page as it stands, of the given impacts.

    Each is a dict: id, impact, help, and nodes (target selector and axe's summary)."""
    if not AXE_FILE.exists():
        raise AssertionError(f"{AXE_FILE} is missing: run `npm ci && npm run vendor`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        from django.templatetags.static import static

        page.add_script_tag(url=static(AXE_STATIC))
    found = page.evaluate(_RUN, TAGS)
    return [v for v in found if v["impact"] in impacts]


def describe(found: list[dict], where: str = "") -> str:
    """The violations as lines a person can act on: rule, impact, help, and each element."""
    lines = []
    for v in found:
        lines.append(f"{where}{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}  — {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)
