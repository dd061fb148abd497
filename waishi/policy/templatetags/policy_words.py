"""The policy's codes in words on pages: ``{{ finding.rule|rule_title }}``."""

from __future__ import annotations

from django import template

from waishi.policy import labels

register = template.Library()


@register.filter
def rule_title(code: str) -> str:
    """A rule's title ("提前报批时间"), never its code."""
    return labels.rule_title(code)
