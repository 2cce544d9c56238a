import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roundtable.access import policy
from roundtable.accounts.models import Organisation
from roundtable.audit.forms import EventFilterForm
from roundtable.audit.models import AuditEvent
from roundtable.audit.services import record

CSV_COLUMNS = [
    "id", "occurred_at", "actor_label", "organisation_label", "action", "object_type", "object_id",
    "object_label", "person_id", "case_id", "ip_address", "user_agent", "request_id", "reason", "details", "hash",
]  # fmt: skip


def _filtered(request):
    policy.require(request.user, "audit.view")
    organisations = Organisation.objects.filter(area_id=request.user.organisation.area_id)
    form = EventFilterForm(request.GET or None, organisations=organisations)
    events = policy.visible(request.user, AuditEvent.objects.all())
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    elif form.is_bound:
        events = events.none()
    return form, events


@require_GET
def event_list(request):
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    record(request.user, "audit.viewed", None, filters=request.GET.dict())
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


class _Echo:
    def write(self, value):
        return value


@require_GET
def event_export(request):
    form, events = _filtered(request)
    record(request.user, "audit.exported", None, filters=request.GET.dict())
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.order_by("id").iterator(chunk_size=2000):
            yield writer.writerow([_cell(getattr(event, column)) for column in CSV_COLUMNS])

    filename = f"roundtable-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = "" if value is None else str(value)
    # Stop a spreadsheet from running a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
