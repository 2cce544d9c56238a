"""The sections of a case page. Each app that adds a section names its URL here."""

from django.urls import NoReverseMatch, reverse

CASE_SECTIONS = [
    ("summary", "Summary", "cases:detail"),
    ("channel", "Channel", "channel:case"),
    ("chronology", "Chronology", "cases:chronology"),
    ("tasks", "Tasks", "tasks:case_tasks"),
    ("documents", "Documents", "documents:case_documents"),
    ("forms", "Forms", "formbuilder:case_forms"),
    ("assessments", "Assessments", "assessments:case_assessments"),
    ("support", "Consent and support", "support:case_support"),
    ("inforequests", "Information requests", "inforequests:case_requests"),
    ("people", "People", "cases:members"),
    ("history", "Who has seen this", "cases:history"),
]


# Sections that belong to some kinds of case only.
SECTION_KINDS = {"channel": ("channel",)}


def case_sections(case) -> list[tuple[str, str, str]]:
    """(key, label, url) for each section whose pages exist; pass as ``case_sections``."""
    sections = []
    for key, label, name in CASE_SECTIONS:
        if key in SECTION_KINDS and case.kind not in SECTION_KINDS[key]:
            continue
        try:
            sections.append((key, label, reverse(name, args=[case.pk])))
        except NoReverseMatch:
            continue  # that section's app is not built yet
    return sections
