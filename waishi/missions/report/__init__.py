"""The trip report (出访报告): its workflow, services, Word documents, pages and what it
registers with other apps (audit sentences, follow-ups obligations and source)."""
