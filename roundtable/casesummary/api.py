"""Case summary API: the same PDF as the page, for a system that files it (court bundles,
records management). Same rule, same audit; anything the token's owner may not export is 404."""

from ninja import Router

from roundtable.api.schemas import ErrorOut
from roundtable.casesummary import services
from roundtable.casesummary.views import pdf_response

router = Router(tags=["case summary"])

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The case summary as a PDF (OFFICIAL-SENSITIVE)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/{int:case_id}/summary.pdf",
    response={404: ErrorOut},
    url_name="case_summary_pdf",
    summary="The case summary as a PDF, as you may see it (owners and panel chairs on the case)",
    openapi_extra=PDF_RESPONSE,
)
def case_summary_pdf(request, case_id: int):
    case = services.case_for_summary(request.auth, case_id)
    return pdf_response(services.do_export_case_summary(request.auth, case, via="api"))
