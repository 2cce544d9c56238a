"""Case summary API: the same PDF as the page, for a system that files it (court bundles,
records management). Same rule, same limit, same audit; anything the token's owner may not
export is 404."""

from datetime import date

from ninja import Router
from ninja.errors import ValidationError

from roundtable.access import policy
from roundtable.api.schemas import ErrorOut
from roundtable.casesummary import services
from roundtable.casesummary.forms import order_error
from roundtable.casesummary.queries import EntryRange
from roundtable.casesummary.views import pdf_response

router = Router(tags=["case summary"])

PDF_RESPONSE = {
    "parameters": [
        {
            "in": "query",
            "name": name,
            "required": False,
            "schema": {"type": "string", "format": "date"},
            "description": description,
        }
        for name, description in (
            ("from", "The chronology's first day, YYYY-MM-DD (inclusive, Europe/London)."),
            ("to", "The chronology's last day, YYYY-MM-DD (inclusive). Neither: the newest entries, up to the limit."),
        )
    ],
    "responses": {
        "200": {
            "description": "The case summary as a PDF (OFFICIAL-SENSITIVE)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
}


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", name], "msg": message}])


def range_from_query(params) -> EntryRange:
    """``from`` and ``to`` as ISO dates, or a 422 naming the parameter that is wrong."""
    found = {}
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        try:
            found[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise _invalid(name, f"‘{name}’ must be a real date written YYYY-MM-DD, like 2026-03-27") from None
        if found[name] is not None and len(raw) != 10:
            raise _invalid(name, f"‘{name}’ must be a real date written YYYY-MM-DD, like 2026-03-27")
    span = EntryRange(start=found["from"], end=found["to"])
    if order_error(span):
        raise _invalid("to", "‘to’ must be the same as or after ‘from’")
    return span


@router.get(
    "/{int:case_id}/summary.pdf",
    response={404: ErrorOut, 422: dict},
    url_name="case_summary_pdf",
    summary="The case summary as a PDF, as you may see it (owners and panel chairs on the case); "
    "its chronology the entries from ‘from’ to ‘to’, or the newest up to the limit",
    openapi_extra=PDF_RESPONSE,
)
def case_summary_pdf(request, case_id: int):
    case = services.case_for_summary(request.auth, case_id)
    # 404 before the dates are looked at: a 422 would confirm the case to someone who may not export it.
    policy.require(request.auth, "case.export_summary", case)
    span = range_from_query(request.GET)
    try:
        export = services.do_export_case_summary(request.auth, case, span=span, via="api")
    except services.RangeTooLarge as error:
        raise _invalid("from", error.message) from None
    return pdf_response(export)
