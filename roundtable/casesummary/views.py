"""The case summary PDF, for download from the case's summary page."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from roundtable.casesummary import services


def pdf_response(export: services.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Content-Length"] = str(len(export.content))
    # Personal data: never kept by a browser, proxy or shared computer's cache.
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def case_summary_pdf(request, pk):
    case = services.case_for_summary(request.user, pk)
    return pdf_response(services.do_export_case_summary(request.user, case, via="page"))
