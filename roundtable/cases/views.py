"""Case pages: list, create, summary, chronology, members and "who has seen this".

Views stay thin: every read goes through the access policy (a case you are not a member
of is a 404, like one that does not exist), every change through a service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.access import policy
from roundtable.accounts.models import Organisation, User
from roundtable.audit.services import history_of, record
from roundtable.cases import queries, services
from roundtable.cases.forms import (
    AddMemberForm,
    AmendEntryForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    ChronologyFilterForm,
    EntryForm,
    MemberRoleForm,
    RestrictEntryForm,
    RetractEntryForm,
)
from roundtable.cases.models import Case, CaseMembership, EntryRevision
from roundtable.cases.navigation import case_sections
from roundtable.core.conflicts import EditConflict
from roundtable.people.models import Person


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _case(request, pk) -> Case:
    return policy.get_visible_or_404(
        request.user, Case.objects.select_related("person", "owner", "lead_organisation"), pk=pk
    )


def _page(request, template: str, case: Case, active: str, context: dict, status: int = 200):
    context = {"case": case, "active": active, "case_sections": case_sections(case), **context}
    return render(request, template, context, status=status)


def _audit_read(request, action: str, case: Case, **details) -> None:
    record(request.user, action, case, case_id=case.pk, person_id=case.person_id, **details)


def _area_organisations(user):
    # Organisation names are not case data: anyone bringing a partner on may pick from their area.
    return Organisation.objects.filter(area_id=user.organisation.area_id, is_active=True).order_by("name")


# --- Case list and creation --------------------------------------------------------------------
@require_GET
def case_list(request):
    policy.require(request.user, "case.list")
    visible = policy.visible(request.user, Case.objects.all())
    owners = list(
        User.objects.filter(owned_cases__in=visible.values("pk"))
        .distinct()
        .order_by("full_name")
        .values_list("pk", "full_name")
    )
    form = CaseFilterForm(request.GET or None, owners=owners)
    filters = queries.CaseFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = queries.CaseFilters(
            kind=data["kind"], state=data["state"], owner=data["owner"], mine=data["mine"], overdue=data["overdue"]
        )
    sort = request.GET.get("sort", "updated")
    filters.sort = sort if sort in queries.CASE_SORTS else "updated"
    filters.descending = request.GET.get("order", "desc" if filters.sort == "updated" else "asc") == "desc"
    paginator = Paginator(queries.visible_cases(request.user, filters), queries.CASE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    record(request.user, "case.list_viewed", None, page=page.number)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    for key in ("sort", "order"):
        sort_query.pop(key, None)
    columns = [
        ("reference", "Reference"),
        ("title", "Case"),
        ("kind", "Type"),
        ("state", "State"),
        ("owner", "Owner"),
        ("updated", "Last updated"),
    ]
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "columns": columns,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "page_links": page_links(page),
            "may_create": policy.can(request.user, "case.create"),
        },
    )


def page_links(page) -> list:
    """Page numbers for the GOV.UK pagination component, with ellipses (None) between runs."""
    last = page.paginator.num_pages
    wanted = {1, last, page.number - 1, page.number, page.number + 1}
    numbers, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


@require_http_methods(["GET", "POST"])
def case_create(request):
    policy.require(request.user, "case.create")
    people = policy.visible(request.user, Person.objects.filter(merged_into__isnull=True)).order_by(
        "family_name", "given_name"
    )
    initial = {"lead_organisation": request.user.organisation_id}
    if request.GET.get("person", "").isdigit():
        initial["person"] = int(request.GET["person"])
    form = CaseForm(
        request.POST or None, initial=initial, people=people, organisations=_area_organisations(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.do_create_case(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Case {case.reference} has been created. Add the people who need to see it.")
            return redirect("cases:members", pk=case.pk)
    return render(request, "cases/case_create.html", {"form": form})


# --- Case pages ---------------------------------------------------------------------------------
@require_GET
def case_detail(request, pk):
    case = _case(request, pk)
    _audit_read(request, "case.viewed", case)
    entries = queries.case_entries(request.user, case)
    return _page(
        request,
        "cases/case_detail.html",
        case,
        "summary",
        {
            "recent": queries.entry_page(entries, size=5).entries,
            "member_count": CaseMembership.objects.filter(case=case).count(),
            "has_overdue_tasks": Case.objects.filter(queries.overdue_tasks_exist(), pk=case.pk).exists(),
            "may_edit": policy.can(request.user, "case.edit", case),
        },
    )


def _filters_from(request, case) -> tuple[ChronologyFilterForm, queries.EntryFilters]:
    authors, organisations = queries.entry_filter_choices(case)
    bound = {key for key in request.GET if key not in ("before", "after")}
    form = ChronologyFilterForm(request.GET if bound else None, authors=authors, organisations=organisations)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = queries.EntryFilters(
            kinds=data["kind"],
            organisation=data["organisation"],
            author=data["author"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            text=data["q"].strip(),
        )
    else:
        filters = queries.EntryFilters()
    return form, filters


@require_GET
def chronology(request, pk):
    case = _case(request, pk)
    form, filters = _filters_from(request, case)
    entries = filters.apply(request.user, queries.case_entries(request.user, case)).prefetch_related("restricted_to")
    page = queries.entry_page(entries, before=request.GET.get("before", ""), after=request.GET.get("after", ""))
    _audit_read(request, "case.chronology_viewed", case, shown=len(page.entries))
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return _page(
        request,
        "cases/chronology.html",
        case,
        "chronology",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "may_add": policy.can(request.user, "entry.create", case),
            "live_url": f"/ws/cases/{case.pk}/",
        },
    )


def _entry(request, case, entry_pk):
    return policy.get_visible_or_404(
        request.user, queries.case_entries(request.user, case).prefetch_related("restricted_to"), pk=entry_pk
    )


@require_GET
def entry_fragment(request, pk, entry_pk):
    """One timeline item, for live updates. Answers 204 when the entry does not match the
    page's filters (the browser then drops it), 404 when the user may not see it at all."""
    case = _case(request, pk)
    entry = _entry(request, case, entry_pk)
    _form, filters = _filters_from(request, case)
    if (
        filters.active
        and not filters.apply(request.user, queries.case_entries(request.user, case)).filter(pk=entry.pk).exists()
    ):
        return HttpResponse(status=204)
    _audit_read(request, "entry.viewed", case, entry=entry.pk)
    return render(request, "cases/_entry.html", {"entry": entry, "case": case})


@require_GET
def entry_detail(request, pk, entry_pk):
    case = _case(request, pk)
    entry = _entry(request, case, entry_pk)
    revisions = []
    if policy.can(request.user, "entry.history", entry):
        revisions = policy.visible(request.user, EntryRevision.objects.filter(entry=entry).select_related("edited_by"))
    _audit_read(request, "entry.viewed", case, entry=entry.pk)
    return _page(request, "cases/entry_detail.html", case, "chronology", {"entry": entry, "revisions": revisions})


@require_http_methods(["GET", "POST"])
def entry_create(request, pk):
    case = _case(request, pk)
    policy.require(request.user, "entry.create", case)
    members = (
        User.objects.filter(case_memberships__case=case).exclude(pk=request.user.pk).select_related("organisation")
    )
    form = EntryForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_record_entry(
                request.user,
                case,
                kind=data["kind"],
                summary=data["summary"],
                body=data["body"],
                occurred_at=form.occurred_at(),
                restricted=data["restricted"],
                restricted_to=data["restricted_to"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your entry has been added to the chronology.")
            return redirect("cases:chronology", pk=case.pk)
    return _page(request, "cases/entry_form.html", case, "chronology", {"form": form})


@require_http_methods(["GET", "POST"])
def entry_amend(request, pk, entry_pk):
    case = _case(request, pk)
    entry = _entry(request, case, entry_pk)
    policy.require(request.user, "entry.amend", entry)
    conflict = None
    if request.method == "POST":
        form = AmendEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_amend_entry(
                    request.user,
                    entry,
                    expected_version=data["version"],
                    kind=data["kind"],
                    summary=data["summary"],
                    body=data["body"],
                    occurred_at=form.occurred_at(),
                    reason=data["reason"],
                )
            except EditConflict as exc:
                # Keep their text in the form; show what the other person saved; base the
                # next attempt on the current version so they can re-apply deliberately.
                conflict = exc
                form = AmendEntryForm({**request.POST.dict(), "version": exc.current.version})
                form.is_valid()
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The entry has been amended. Its earlier text is kept in its history.")
                return redirect("cases:chronology", pk=case.pk)
    else:
        form = AmendEntryForm.for_entry(entry)
    status = 409 if conflict else 200
    return _page(
        request,
        "cases/entry_amend.html",
        case,
        "chronology",
        {"form": form, "entry": entry, "conflict": conflict},
        status,
    )


@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = _case(request, pk)
    policy.require(request.user, "case.edit", case)
    organisations = _area_organisations(request.user)
    conflict = None
    if request.method == "POST":
        form = CaseEditForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_case(
                    request.user, case, version=data["version"], title=data["title"], state=data["state"],
                    lead_organisation=data["lead_organisation"],
                )  # fmt: skip
            except EditConflict as exc:
                conflict = exc
                form = CaseEditForm(
                    {**request.POST.dict(), "version": exc.current.version}, organisations=organisations
                )
                form.is_valid()
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The case details have been saved.")
                return redirect("cases:detail", pk=case.pk)
    else:
        form = CaseEditForm.for_case(case, organisations)
    status = 409 if conflict else 200
    return _page(request, "cases/case_edit.html", case, "summary", {"form": form, "conflict": conflict}, status)


@require_http_methods(["GET", "POST"])
def entry_retract(request, pk, entry_pk):
    case = _case(request, pk)
    entry = _entry(request, case, entry_pk)
    policy.require(request.user, "entry.retract", entry)
    form = RetractEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_retract_entry(request.user, entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The entry has been retracted.")
            return redirect("cases:chronology", pk=case.pk)
    return _page(request, "cases/entry_retract.html", case, "chronology", {"form": form, "entry": entry})


@require_http_methods(["GET", "POST"])
def entry_restrict(request, pk, entry_pk):
    case = _case(request, pk)
    entry = _entry(request, case, entry_pk)
    policy.require(request.user, "entry.restrict", entry)
    members = (
        User.objects.filter(case_memberships__case=case).exclude(pk=request.user.pk).select_related("organisation")
    )
    initial = {"restricted": entry.is_restricted, "restricted_to": list(entry.restricted_to.all())}
    form = RestrictEntryForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_restrict_entry(
                request.user,
                entry,
                restricted=form.cleaned_data["restricted"],
                restricted_to=form.cleaned_data["restricted_to"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Who can read this entry has been updated.")
            return redirect("cases:chronology", pk=case.pk)
    return _page(request, "cases/entry_restrict.html", case, "chronology", {"form": form, "entry": entry})


# --- Members -------------------------------------------------------------------------------------
def _memberships(request, case):
    return policy.visible(
        request.user, CaseMembership.objects.filter(case=case).select_related("user__organisation", "added_by")
    ).order_by("user__full_name")


@require_http_methods(["GET", "POST"])
def members(request, pk):
    case = _case(request, pk)
    may_manage = policy.can(request.user, "case.manage_members", case)
    form = AddMemberForm(request.POST or None, organisations=_area_organisations(request.user)) if may_manage else None
    if request.method == "POST":
        policy.require(request.user, "case.manage_members", case)
        if form.is_valid():
            added = _add_member(request, case, form)
            if added:
                return redirect("cases:members", pk=case.pk)
    else:
        _audit_read(request, "case.members_viewed", case)
    return _page(
        request,
        "cases/members.html",
        case,
        "people",
        {"form": form, "memberships": _memberships(request, case), "may_manage": may_manage},
        status=400 if form is not None and form.errors else 200,
    )


def _add_member(request, case, form) -> bool:
    data = form.cleaned_data
    existing = User.objects.filter(email__iexact=data["email"].strip()).first()
    try:
        if existing is not None:
            services.do_add_member(request.user, case, user=existing, role=data["role"])
            messages.success(request, f"{existing.full_name} has been added to the case.")
        else:
            if not data["full_name"].strip():
                form.add_error(
                    "full_name", "There is no account with this e-mail address. Enter their full name to invite them"
                )
            if data["organisation"] is None and not data["organisation_name"].strip():
                form.add_error("organisation", "Choose their organisation, or enter its name if it is not listed")
            if form.errors:
                return False
            membership = services.do_invite_member(
                request.user,
                case,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                organisation=data["organisation"],
                organisation_name=data["organisation_name"],
                sector=data["sector"],
            )
            messages.success(
                request,
                f"{membership.user.full_name} has been invited to Roundtable and added to the case. "
                "They will see it once they accept the invitation.",
            )
    except ValidationError as exc:
        _add_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return False
    return True


def _membership(request, case, membership_pk) -> CaseMembership:
    return policy.get_visible_or_404(
        request.user, CaseMembership.objects.filter(case=case).select_related("user", "case"), pk=membership_pk
    )


@require_POST
def member_role(request, pk, membership_pk):
    case = _case(request, pk)
    policy.require(request.user, "case.manage_members", case)
    membership = _membership(request, case, membership_pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, contributor or viewer.")
    else:
        try:
            services.do_change_member_role(request.user, membership, form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user.full_name} is now a {membership.get_role_display().lower()}.")
    return redirect("cases:members", pk=case.pk)


@require_POST
def member_remove(request, pk, membership_pk):
    case = _case(request, pk)
    policy.require(request.user, "case.manage_members", case)
    membership = _membership(request, case, membership_pk)
    try:
        services.do_remove_member(request.user, membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:members", pk=case.pk)
    messages.success(request, f"{membership.user.full_name} has been removed from the case.")
    if membership.user_id == request.user.pk:
        return redirect(reverse("cases:list"))
    return redirect("cases:members", pk=case.pk)


# --- Who has seen this ---------------------------------------------------------------------------
@require_GET
def history(request, pk):
    case = _case(request, pk)
    _audit_read(request, "case.history_viewed", case)
    return _page(request, "cases/history.html", case, "history", {"events": history_of(case_id=case.pk, limit=200)})
