"""What users can do with documents. Each operation checks the access policy, changes
data in one transaction and records its audit event there too."""

import hashlib
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from roundtable.access import policy
from roundtable.accounts.models import User
from roundtable.audit.services import record
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry
from roundtable.documents.models import Document
from roundtable.documents.sniffing import FileTypeProblem, check_upload
from roundtable.documents.uploads import max_bytes, too_large_message

# Playing a recording makes the browser send many range requests (every seek). One
# "played" event per user, document and window is enough to answer "who has listened".
PLAY_AUDIT_WINDOW_SECONDS = 30 * 60


def _sha256_of(file: File) -> str:
    digest = getattr(file, "sha256", None)
    if digest:
        return digest  # computed by LimitedUploadHandler while the upload streamed in
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()


def _case_members(case: Case, user_ids: Iterable[int]) -> list[User]:
    wanted = set(user_ids)
    members = list(User.objects.filter(pk__in=wanted, case_memberships__case=case, is_active=True))
    if len(members) != len(wanted):
        raise ValidationError({"restricted_to": "Choose only people who are members of this case."})
    return members


def visible_entry_or_error(actor, case: Case, entry_id: int | None) -> ChronologyEntry | None:
    if entry_id is None:
        return None
    entry = ChronologyEntry.objects.filter(case=case, pk=entry_id).first()
    hidden = entry is not None and entry.is_restricted and entry.author_id != actor.pk
    if hidden and not entry.restricted_to.filter(pk=actor.pk).exists():
        entry = None
    if entry is None:
        raise ValidationError({"entry": "Choose an entry from this case's chronology."})
    return entry


@transaction.atomic
def do_upload_document(
    actor,
    case: Case,
    *,
    file: File,
    title: str = "",
    entry_id: int | None = None,
    restricted_to: Iterable[int] = (),
    restrict: bool = False,
) -> Document:
    """Check, store and record one uploaded file. The file must be seekable (an upload
    handler's temporary file, or any Django File); it is never read whole into memory."""
    policy.permit(actor, "document.upload", case)
    name = (file.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if file.size is not None and file.size > max_bytes():
        raise ValidationError({"file": too_large_message(name)})
    if file.size == 0:
        raise ValidationError({"file": f"{name} is empty. Choose a file that has something in it."})
    try:
        kind = check_upload(name, file)
    except FileTypeProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    entry = visible_entry_or_error(actor, case, entry_id)
    named = _case_members(case, restricted_to) if restrict else []
    if restrict and not named:
        raise ValidationError({"restricted_to": "Choose at least one person who may see this document."})

    document = Document(
        case=case,
        entry=entry,
        title=(title.strip() or name.rsplit(".", 1)[0] or name)[:200],
        original_name=name,
        content_type=kind.mime,
        size=file.size,
        sha256=_sha256_of(file),
        uploaded_by=actor,
        is_restricted=restrict,
    )
    # A random stored name: nothing the uploader typed ends up in a path or object key.
    file.seek(0)
    document.file.save(f"{uuid.uuid4().hex}.{kind.extensions[0]}", file, save=False)
    try:
        with transaction.atomic():
            document.save()
            document.restricted_to.set(named)
            record(
                actor,
                "document.uploaded",
                document,
                case_id=case.pk,
                person_id=case.person_id,
                content_type=kind.mime,
                size=document.size,
                sha256=document.sha256,
                restricted=restrict,
                restricted_to=[user.pk for user in named],
            )
    except Exception:
        document.file.storage.delete(document.file.name)  # no orphan file for a row that never was
        raise
    return document


@transaction.atomic
def do_restrict_document(actor, document: Document, *, restrict: bool, restricted_to: Iterable[int] = ()) -> None:
    policy.permit(actor, "document.restrict", document)
    named = _case_members(document.case, restricted_to) if restrict else []
    if restrict and not named:
        raise ValidationError({"restricted_to": "Choose at least one person who may see this document."})
    before = sorted(document.restricted_to.values_list("pk", flat=True))
    document.is_restricted = restrict
    document.save(update_fields=["is_restricted"])
    document.restricted_to.set(named)
    record(
        actor,
        "document.access_changed",
        document,
        case_id=document.case_id,
        person_id=document.case.person_id,
        restricted=restrict,
        before=before,
        after=[user.pk for user in named],
    )


def record_document_view(actor, document: Document) -> None:
    record(actor, "document.viewed", document, case_id=document.case_id, person_id=document.case.person_id)


def record_download(actor, document: Document, *, inline: bool, byte_range: tuple[int, int] | None) -> None:
    """Every attachment download is an event (ranges included: a resumed download is a
    download). Inline playback is one event per user, document and half hour."""
    details = {"range": f"{byte_range[0]}-{byte_range[1]}" if byte_range else "all"}
    if inline:
        key = f"documents:played:{actor.pk}:{document.pk}"
        if not cache.add(key, True, PLAY_AUDIT_WINDOW_SECONDS):
            return
        action = "document.played"
    else:
        action = "document.downloaded"
    with transaction.atomic():
        record(actor, action, document, case_id=document.case_id, person_id=document.case.person_id, **details)


def case_member_choices(case: Case, exclude: User | None = None) -> list[tuple[int, str]]:
    memberships = CaseMembership.objects.filter(case=case, user__is_active=True).select_related("user__organisation")
    if exclude is not None:
        memberships = memberships.exclude(user=exclude)
    return [
        (m.user_id, f"{m.user.full_name} ({m.user.organisation.name})") for m in memberships.order_by("user__full_name")
    ]
