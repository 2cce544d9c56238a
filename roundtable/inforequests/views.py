"""Information request pages. Thin: look up through the access policy, call a service, render.

People asked who are not members of the case see their own request (the person's name and
date of birth, the questions, the basis, the deadline) without the case's header or
navigation; nothing else of the case is reachable from these pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.access.rules.inforequests import is_addressee
from roundtable.cases.models import Case, CaseMembership
from roundtable.cases.navigation import case_sections
from roundtable.documents.streaming import file_response
from roundtable.documents.uploads import too_large_message, use_limited_upload_handler
from roundtable.inforequests import services
from roundtable.inforequests.forms import CONSENT_DETAIL_FIELD, AnswerForm, RequestForm, split_lines
from roundtable.inforequests.models import (
    CONSENT_HINTS,
    LAWFUL_BASIS_HINTS,
    AnswerAttachment,
    InformationRequest,
)
from roundtable.inforequests.return_form import definition_for
from roundtable.inforequests.return_pages import answer_on_form

PAGE_SIZE = 50


def _case_or_404(request, case_pk) -> Case:
    return policy.get_visible_or_404(request.user, Case.objects.select_related("person", "area"), pk=case_pk)


def _case_context(case) -> dict:
    return {"case": case, "case_sections": case_sections(case), "active": "inforequests"}


def _request_context(request, information_request: InformationRequest) -> dict:
    """Members get the case's header and navigation; people asked who are not members do not."""
    case = information_request.case
    is_member = policy.can(request.user, "case.view", case)
    context = _case_context(case) if is_member else {}
    return {
        **context,
        "is_member": is_member,
        "information_request": information_request,
        "person": case.person,
        "basis_hint": LAWFUL_BASIS_HINTS.get(information_request.lawful_basis, ""),
        "consent_hint": CONSENT_HINTS.get(information_request.consent_position, ""),
    }


def _apply_errors(form, error: ValidationError, renames: dict | None = None) -> None:
    renames = renames or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages_ in error.message_dict.items():
        field = renames.get(field, field)
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


# --- The people asked ------------------------------------------------------------------------
@require_GET
def inbox(request):
    policy.require(request.user, "inforequest.inbox")
    answered = request.GET.get("show") == "answered"
    page = Paginator(services.inbox(request.user, answered=answered), PAGE_SIZE).get_page(request.GET.get("page"))
    recipients = list(page.object_list)
    for recipient in recipients:
        recipient.is_overdue = services.is_overdue(recipient)
    services.record_inbox_view(request.user, recipients)
    return render(request, "inforequests/inbox.html", {"page": page, "recipients": recipients, "answered": answered})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    # The streaming, size-limited upload handler must be in place before anything reads the body.
    handler = use_limited_upload_handler(request)
    return _answer(request, pk, handler)


@csrf_protect
def _answer(request, pk, handler):
    recipient = services.visible_recipient(request.user, pk)
    if not policy.can(request.user, "inforequest.answer", recipient):
        if is_addressee(request.user, recipient):
            messages.info(request, "This request no longer needs an answer from you.")
            return redirect("inforequests:detail", recipient.request_id)
        raise Http404
    information_request = recipient.request
    if request.method == "GET":
        services.record_answer_form_view(request.user, recipient)
    definition = definition_for(information_request.case)
    if definition is not None:  # the panel's (or area's) own information return form
        context = {
            **_request_context(request, information_request),
            "recipient": recipient,
            "due_overdue": services.is_overdue(recipient),
        }
        return answer_on_form(request, recipient, definition, handler, context)
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if handler.too_large:
            form.is_valid()
            form.errors.pop("attachments", None)
            for name in handler.too_large:
                form.add_error("attachments", too_large_message(name))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.do_answer_request(
                    request.user, recipient, outcome=data["outcome"], answer=data["answer"], files=data["attachments"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Your answer has been sent to {information_request.requested_by.full_name}.")
                return redirect("inforequests:detail", information_request.pk)
        if form.errors and (request.FILES or handler.too_large):
            form.add_error("attachments", "Nothing you attached has been kept: choose the files again before you send")
    context = {
        **_request_context(request, information_request),
        "recipient": recipient,
        "form": form,
        "due_overdue": services.is_overdue(recipient),
    }
    return render(request, "inforequests/answer_form.html", context, status=400 if form.errors else 200)


# --- A case's requests -----------------------------------------------------------------------
@require_GET
def case_requests(request, case_pk):
    case = _case_or_404(request, case_pk)
    found = services.case_requests(request.user, case)
    services.record_list_view(request.user, case, found)
    context = {**_case_context(case), "requests": found}
    context["can_create"] = policy.can(request.user, "inforequest.create", case)
    return render(request, "inforequests/case_requests.html", context)


def _request_form(request, case, data=None, **kwargs) -> RequestForm:
    organisations = services.choosable_organisations(case)
    return RequestForm(data, organisations=organisations, case_area=case.area, **kwargs)


@require_http_methods(["GET", "POST"])
def create(request, case_pk):
    case = _case_or_404(request, case_pk)
    policy.require(request.user, "inforequest.create", case)
    initial = {"days": services.response_days_for(case), "questions": ["hold_information", "involvement"]}
    form = _request_form(request, case, request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            information_request = services.do_create_request(
                request.user,
                case,
                organisations=list(data["organisations"]),
                people=data["people"],
                questions=data["questions"],
                custom_questions=split_lines(data["custom_questions"]),
                lawful_basis=data["lawful_basis"],
                lawful_basis_detail=data["lawful_basis_detail"],
                consent_position=data["consent_position"],
                consent_detail=form.consent_detail(),
                days=data["days"],
            )
        except ValidationError as error:
            position = data.get("consent_position")
            _apply_errors(form, error, {"consent_detail": CONSENT_DETAIL_FIELD.get(position, "consent_position")})
        else:
            count = information_request.recipients.count()
            messages.success(
                request,
                f"Information request sent to {count} recipient{'s' if count != 1 else ''}, to answer by "
                f"{services.long_date(information_request.due_date)}.",
            )
            return redirect("inforequests:detail", information_request.pk)
    context = {
        **_case_context(case),
        "form": form,
        "blocked": _why_blocked(case),
        "default_days": services.response_days_for(case),
    }
    return render(request, "inforequests/request_form.html", context, status=400 if form.errors else 200)


def _why_blocked(case) -> str:
    if case.person_id is None:
        return "Information requests are about a person, and this case is not about a person."
    if case.state == Case.State.CLOSED:
        return "This case is closed. Reopen it before sending an information request."
    return ""


# --- One request -----------------------------------------------------------------------------
@require_GET
def detail(request, pk):
    information_request = services.visible_request(request.user, pk)
    services.record_request_view(request.user, information_request)
    context = _request_context(request, information_request)
    context["recipients"] = list(information_request.recipients.all())
    return render(request, "inforequests/request_detail.html", context)


def _member_count(case) -> int:
    return CaseMembership.objects.filter(case=case, user__is_active=True).count()


def _confirm(request, pk, action: str, template_context: dict):
    recipient = services.visible_recipient(request.user, pk)
    policy.require(request.user, f"inforequest.{action}", recipient)
    if request.method == "POST":
        try:
            if action == "share":
                services.do_share_answer(request.user, recipient)
                messages.success(request, f"The answer from {recipient.label} is now in the case's chronology.")
            else:
                services.do_withdraw_recipient(request.user, recipient)
                messages.success(request, f"The request to {recipient.label} has been withdrawn.")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("inforequests:detail", recipient.request_id)
    context = {
        **_case_context(recipient.request.case),
        "recipient": recipient,
        "action": action,
        **template_context,
    }
    if action == "share":
        context["member_count"] = _member_count(recipient.request.case)
    return render(request, "inforequests/confirm.html", context)


@require_http_methods(["GET", "POST"])
def share(request, pk):
    return _confirm(request, pk, "share", {})


@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    return _confirm(request, pk, "withdraw", {})


@require_GET
def attachment(request, pk):
    queryset = AnswerAttachment.objects.select_related("recipient__request__case")
    found = policy.get_visible_or_404(request.user, queryset, pk=pk)
    response, byte_range = file_response(request, found, inline=False)
    if response.status_code != 416:
        services.record_attachment_download(request.user, found, byte_range=byte_range)
    return response
