"""Permission matrix rows for the information requests app (see matrix.py).

The panel chair owns the case and sent the request; the practitioner contributes to the
case but is neither police nor a chair, so may see the request and who answered, but not
send one or read an answer. The request asks the *other* organisation as a whole (so its
administrator and practitioner — not members of the case — may open and answer it and
nothing else) and one named person elsewhere, who has answered with a file. Everyone else,
including the rest of our organisation, gets 404."""

import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from roundtable.documents.samples import tiny_pdf
from roundtable.inforequests.models import AnswerAttachment, InformationRequest, RequestRecipient
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.security.rows import Row, roles

MEDIA = Path(tempfile.gettempdir()) / "roundtable-matrix-media"

CASE_WORKERS = roles(
    "practitioner", "panel_chair", "panel_admin", "org_admin", "other_org_admin", "other_org_practitioner"
)
MEMBERS = roles("panel_chair", "practitioner")
SENDER = roles("panel_chair")
ASKED = roles("other_org_admin", "other_org_practitioner")


def build(world):
    """Add the objects these rows need to the shared test world."""
    from django.conf import settings

    media = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA}}
    override_settings(STORAGES={**settings.STORAGES, "default": media}).enable()
    chair = world["panel_chair"]
    case = CaseFactory(owner=chair, members=[world["practitioner"]])
    request = InformationRequest.objects.create(
        case=case,
        requested_by=chair,
        requester_organisation=chair.organisation,
        questions=["Do you hold information on this person?"],
        lawful_basis=InformationRequest.LawfulBasis.PUBLIC_TASK,
        consent_position=InformationRequest.Consent.GIVEN,
        response_days=5,
        due_date=timezone.localdate(),
    )
    world["ir_case"] = case
    world["ir_request"] = request
    other_organisation = world["other_org_admin"].organisation
    world["ir_pending"] = RequestRecipient.objects.create(request=request, organisation=other_organisation)
    named = UserFactory(organisation=OrganisationFactory(area=case.area))
    world["ir_answered"] = RequestRecipient.objects.create(
        request=request, organisation=named.organisation, user=named, status="answered",
        outcome="information_provided", answer="Known to us.", answered_by=named, answered_at=timezone.now(),
    )  # fmt: skip
    pdf = tiny_pdf()
    attachment = AnswerAttachment(
        recipient=world["ir_answered"], original_name="answer.pdf", content_type="application/pdf",
        size=len(pdf), sha256="0" * 64, uploaded_by=named,
    )  # fmt: skip
    # One fixed file shared by every matrix test, so runs do not pile up copies.
    attachment.file.name = "inforequests/matrix/answer.pdf"
    if not attachment.file.storage.exists(attachment.file.name):
        attachment.file.storage.save(attachment.file.name, ContentFile(pdf))
    attachment.save()
    world["ir_attachment"] = attachment


def on_case(world):
    return {"case_pk": world["ir_case"].pk}


def a_request(world):
    return {
        "organisations": [world["other_org_admin"].organisation.pk],
        "questions": ["hold_information"],
        "lawful_basis": "public_task",
        "consent_position": "given",
        "days": "5",
    }


def api_request(world):
    return {
        "organisation_ids": [world["other_org_admin"].organisation.pk],
        "questions": ["hold_information"],
        "lawful_basis": "public_task",
        "consent_position": "given",
    }


ROWS: dict[str, Row] = {
    # --- pages -------------------------------------------------------------------------------
    "inforequests:inbox": Row(CASE_WORKERS),
    "inforequests:case_requests": Row(MEMBERS, kwargs=on_case),
    "inforequests:create": Row(SENDER, method="POST", ok=302, kwargs=on_case, data=a_request),
    "inforequests:detail": Row(MEMBERS | ASKED, kwargs=lambda w: {"pk": w["ir_request"].pk}),
    "inforequests:answer": Row(
        ASKED,
        method="POST",
        ok=302,
        kwargs=lambda w: {"pk": w["ir_pending"].pk},
        data=lambda w: {"outcome": "not_known"},
    ),
    "inforequests:share": Row(SENDER, method="POST", ok=302, kwargs=lambda w: {"pk": w["ir_answered"].pk}),
    "inforequests:withdraw": Row(SENDER, method="POST", ok=302, kwargs=lambda w: {"pk": w["ir_pending"].pk}),
    "inforequests:attachment": Row(SENDER, kwargs=lambda w: {"pk": w["ir_attachment"].pk}),
    # --- API -----------------------------------------------------------------------------------
    "api:inforequest_inbox": Row(CASE_WORKERS, api=True, anonymous=401),
    "api:inforequest_case_list": Row(MEMBERS, api=True, anonymous=401, kwargs=lambda w: {"case_id": w["ir_case"].pk}),
    "api:inforequest_create": Row(
        SENDER,
        api=True,
        anonymous=401,
        method="POST",
        ok=201,
        kwargs=lambda w: {"case_id": w["ir_case"].pk},
        data=api_request,
    ),  # fmt: skip
    "api:inforequest_detail": Row(
        MEMBERS | ASKED, api=True, anonymous=401, kwargs=lambda w: {"request_id": w["ir_request"].pk}
    ),
    "api:inforequest_answer": Row(
        ASKED,
        api=True,
        anonymous=401,
        method="POST",
        kwargs=lambda w: {"recipient_id": w["ir_pending"].pk},
        data=lambda w: {"outcome": "not_known"},
    ),  # fmt: skip
    "api:inforequest_share": Row(
        SENDER, api=True, anonymous=401, method="POST", kwargs=lambda w: {"recipient_id": w["ir_answered"].pk}
    ),
    "api:inforequest_withdraw": Row(
        SENDER, api=True, anonymous=401, method="POST", kwargs=lambda w: {"recipient_id": w["ir_pending"].pk}
    ),
    "api:inforequest_attachment": Row(
        SENDER, api=True, anonymous=401, kwargs=lambda w: {"attachment_id": w["ir_attachment"].pk}
    ),
}
