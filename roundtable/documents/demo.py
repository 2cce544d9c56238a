"""Fictional demo documents: a generated PDF, a PNG and a short WAV tone on a couple of cases."""

from django.core.files.base import ContentFile

from roundtable.documents import samples, services
from roundtable.documents.models import Document

DEMO_FILES = [
    # (file name, title, maker, restricted to the owner's first fellow member)
    (
        "referral-summary.pdf",
        "Referral summary (fictional)",
        lambda: samples.tiny_pdf("Fictional referral summary"),
        False,
    ),
    ("home-visit-sketch.png", "Home visit sketch (fictional)", samples.tiny_png, False),
    ("panel-recording.wav", "Panel recording excerpt (fictional)", samples.tone_wav, True),
]


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent). See core/management/commands/load_demo.py."""
    cases = [case for case in (context.get("cases") or {}).values() if hasattr(case, "memberships")]
    for case in sorted(cases, key=lambda case: case.reference)[:2]:
        members = list(case.memberships.exclude(user=case.owner).values_list("user_id", flat=True)[:1])
        for name, title, make, restricted in DEMO_FILES:
            if Document.objects.filter(case=case, original_name=name).exists():
                continue
            restrict = restricted and bool(members)
            services.do_upload_document(
                case.owner,
                case,
                file=ContentFile(make(), name=name),
                title=title,
                restrict=restrict,
                restricted_to=members if restrict else (),
            )
