"""The case summary page (choose the chronology's dates) and the PDF it downloads."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roundtable.access import policy
from roundtable.audit.services import record
from roundtable.cases.navigation import case_sections
from roundtable.casesummary import services
from roundtable.casesummary.forms import PARTS, RangeForm
from roundtable.casesummary.queries import EntryRange, count_entries

PAGE_VIEWED = "case.summary_page_viewed"


def pdf_response(export: services.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Content-Length"] = str(len(export.content))
    # Personal data: never kept by a browser, proxy or shared computer's cache.
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page(request, case, form: RangeForm, *, status: int = 200) -> HttpResponse:
    counts = count_entries(request.user, case, EntryRange())
    with transaction.atomic():
        record(request.user, PAGE_VIEWED, case, case_id=case.pk, person_id=case.person_id)
    context = {
        "case": case,
        "case_sections": case_sections(case),
        "active": "summary",
        "form": form,
        "total": counts.total,
        "limit": services.entry_limit(),
    }
    return render(request, "casesummary/summary.html", context, status=status)


@require_GET
def summary_page(request, pk):
    case = services.case_for_summary(request.user, pk)
    policy.require(request.user, "case.export_summary", case)
    return _page(request, case, RangeForm())


@require_GET
def case_summary_pdf(request, pk):
    """The PDF; with dates from the summary page's form, the entries between them. Wrong dates
    or a range too large for one summary: the page again, with what was typed and why."""
    case = services.case_for_summary(request.user, pk)
    form = RangeForm(request.GET)
    if not form.is_valid():
        policy.require(request.user, "case.export_summary", case)
        return _page(request, case, form, status=400)
    try:
        export = services.do_export_case_summary(request.user, case, span=form.cleaned_data["span"], via="page")
    except services.RangeTooLarge as error:
        form.date_error("from", error.message, list(PARTS))
        form.error_parts["to"] = list(PARTS)
        return _page(request, case, form, status=400)
    return pdf_response(export)
