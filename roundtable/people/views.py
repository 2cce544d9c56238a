"""Person profile pages and deconfliction search. Views parse input, call a service, render."""

from datetime import date

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from roundtable.access import policy
from roundtable.audit.services import history_of
from roundtable.core.conflicts import EditConflict
from roundtable.people import services
from roundtable.people.forms import (
    AddressForm,
    CreatePersonForm,
    EditPersonForm,
    EndFlagForm,
    FlagForm,
    InvolvementForm,
    MergeForm,
    NameForm,
    RelationshipForm,
    SearchForm,
)
from roundtable.people.matching import Criteria
from roundtable.people.models import Address, AgencyInvolvement, Person, PersonName, Relationship, SafeguardingFlag

SECTIONS = [
    ("profile", "Profile", "people:detail"),
    ("addresses", "Addresses", "people:addresses"),
    ("family", "Family and household", "people:family"),
    ("flags", "Flags", "people:flags"),
    ("agencies", "Agencies involved", "people:agencies"),
    ("cases", "Cases", "people:cases"),
    ("history", "Who has seen this", "people:history"),
]
ACTION_LABELS = {
    "person.viewed": "Viewed",
    "person.created": "Created the profile",
    "person.updated": "Changed the identity",
    "person.name_added": "Added a name",
    "person.name_removed": "Removed a name",
    "person.address_added": "Added an address",
    "person.address_updated": "Changed an address",
    "person.relationship_added": "Added a family link",
    "person.relationship_removed": "Removed a family link",
    "person.flag_added": "Added a flag",
    "person.flag_ended": "Ended a flag",
    "person.involvement_added": "Recorded an agency's involvement",
    "person.involvement_updated": "Updated an agency's involvement",
    "person.merged": "Merged profiles",
    "person.access_requested": "Asked for access after a search",
}
SEARCH_SALT = "roundtable.people.search"
SEARCH_MAX_AGE = 60 * 60  # a search is good for an hour's worth of form filling


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- Deconfliction search -------------------------------------------------------------------


def _criteria(data: dict) -> Criteria:
    return Criteria(
        given_name=data.get("given_name", "").strip(),
        family_name=data.get("family_name", "").strip(),
        date_of_birth=data.get("date_of_birth"),
        postcode=data.get("postcode", ""),
    )


def _search_token(criteria: Criteria) -> str:
    """Proof that the user searched before creating, carrying what they searched for."""
    return signing.dumps(criteria.as_audit(), salt=SEARCH_SALT, compress=True)


def _criteria_from_token(token: str) -> dict | None:
    try:
        return signing.loads(token or "", salt=SEARCH_SALT, max_age=SEARCH_MAX_AGE)
    except signing.BadSignature:
        return None


@require_http_methods(["GET"])
def search(request):
    policy.require(request.user, "person.search")
    searched = bool(set(request.GET) & set(SearchForm.base_fields))
    form = SearchForm(request.GET if searched else None)
    context = {"form": form, "result": None}
    if searched and form.is_valid():
        criteria = _criteria(form.cleaned_data)
        context["result"] = services.do_search_people(request.user, criteria)
        context["create_url"] = f"{reverse('people:create')}?search={_search_token(criteria)}"
    return render(request, "people/search.html", context)


@require_POST
def request_access(request):
    policy.require(request.user, "person.request_access")
    form = SearchForm(request.POST)
    if not form.is_valid():
        messages.info(request, "Search again, then ask for access.")
        return redirect("people:search")
    services.do_request_access(request.user, _criteria(form.cleaned_data))
    # The same answer whether one holder or several were told: nothing more is revealed.
    messages.success(request, "Your request has been sent. The organisation holding the record will contact you.")
    return redirect(f"{reverse('people:search')}?{request.POST.urlencode()}")


@require_http_methods(["GET", "POST"])
def create(request):
    policy.require(request.user, "person.create")
    token = request.GET.get("search", "")
    searched = _criteria_from_token(token)
    if searched is None:
        messages.info(request, "Search for the person first, to check they are not already known to a partner.")
        return redirect("people:search")
    initial = {
        "given_name": searched["given_name"],
        "family_name": searched["family_name"],
        "date_of_birth": date.fromisoformat(searched["date_of_birth"]) if searched["date_of_birth"] else None,
        "postcode": searched["postcode"],
    }
    form = CreatePersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.do_create_person(request.user, identity=form.identity(), address=form.address())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Profile created for {person.full_name}.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/create.html", {"form": form, "token": token})


# --- Profile pages ----------------------------------------------------------------------------


def _current_flags(person: Person) -> list[SafeguardingFlag]:
    today = date.today()
    return [flag for flag in person.flags.all() if flag.ended is None or flag.ended >= today]


def _profile(request, pk, section: str):
    """The person, if visible; a redirect if it was merged into a profile the user can see."""
    queryset = Person.objects.select_related("created_by__organisation").prefetch_related("flags")
    person = policy.get_visible_or_404(request.user, queryset, pk=pk)
    if person.merged_into_id:
        survivor = policy.visible(request.user, Person.objects.filter(pk=person.merged_into_id)).first()
        services.record_profile_view(request.user, person, f"{section} (merged)")
        if survivor is not None:
            messages.info(request, "The profile you opened was merged into this one.")
            return person, redirect(_section_url(section, survivor.pk))
        return person, render(request, "people/merged.html", {"person": person})
    services.record_profile_view(request.user, person, section)
    return person, None


def _section_url(section: str, pk: int) -> str:
    name = {key: url for key, _label, url in SECTIONS}.get(section, "people:detail")
    return reverse(name, args=[pk])


def _context(request, person: Person, section: str, **extra) -> dict:
    return {
        "person": person,
        "active": section,
        "sections": [(key, label, reverse(name, args=[person.pk])) for key, label, name in SECTIONS],
        "current_flags": _current_flags(person),
        "can_edit": policy.can(request.user, "person.edit", person),
        "can_merge": policy.can(request.user, "person.merge", person),
        **extra,
    }


@require_http_methods(["GET"])
def detail(request, pk):
    person, response = _profile(request, pk, "profile")
    if response:
        return response
    names = list(person.other_names.all())
    addresses = [a for a in person.addresses.all() if a.moved_out is None]
    merged = policy.visible(request.user, Person.objects.filter(merged_into=person)).only(
        "pk", "given_name", "family_name"
    )
    return render(
        request,
        "people/profile.html",
        _context(request, person, "profile", other_names=names, current_addresses=addresses, merged_profiles=merged),
    )


ORIGINAL_SALT = "roundtable.people.edit"


def _snapshot(values: dict) -> dict:
    """Identity values as comparable strings (what the form showed, what was saved)."""
    return {name: "" if values.get(name) is None else str(values.get(name)) for name in services.IDENTITY_FIELDS}


def _edit_initial(person: Person) -> dict:
    values = {name: getattr(person, name) for name in services.IDENTITY_FIELDS}
    original = signing.dumps(_snapshot(values), salt=ORIGINAL_SALT, compress=True)
    return values | {"version": person.version, "original": original}


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Only the fields this person changed are saved, and only onto the version they loaded.

    If someone else saved in between, the page shows what they changed and keeps this
    person's text: fields only the other person changed take the saved value, fields this
    person changed keep what they typed, ready to save again on purpose."""
    person, response = _profile(request, pk, "edit")
    if response:
        return response
    policy.require(request.user, "person.edit", person)
    form = EditPersonForm(request.POST or None, initial=_edit_initial(person))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            original = signing.loads(form.cleaned_data["original"], salt=ORIGINAL_SALT)
        except signing.BadSignature:
            original = _snapshot({name: getattr(person, name) for name in services.IDENTITY_FIELDS})
        yours = form.identity()
        changes = {name: value for name, value in yours.items() if _snapshot(yours)[name] != original[name]}
        try:
            if changes:
                services.do_update_person(
                    request.user, person, expected_version=form.cleaned_data["version"], changes=changes
                )
        except EditConflict as exc:
            conflict = _describe_conflict(exc.current, original, yours, changes)
            data = request.POST.copy()
            theirs = _snapshot({name: getattr(exc.current, name) for name in services.IDENTITY_FIELDS})
            for name in services.IDENTITY_FIELDS:
                if name not in changes:
                    data[name] = _form_value(getattr(exc.current, name))
            data["version"] = exc.current.version
            data["original"] = signing.dumps(theirs, salt=ORIGINAL_SALT, compress=True)
            form = EditPersonForm(data)
            form.is_valid()
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Profile saved." if changes else "No changes to save.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/edit.html", _context(request, person, "profile", form=form, conflict=conflict))


def _form_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _describe_conflict(current: Person, original: dict, yours: dict, changes: dict) -> list[dict]:
    """Each field the other person changed: what it was, what they saved, and what you typed."""
    theirs = _snapshot({name: getattr(current, name) for name in services.IDENTITY_FIELDS})
    yours_text = _snapshot(yours)
    rows = []
    for name in services.IDENTITY_FIELDS:
        if theirs[name] != original[name]:
            rows.append(
                {
                    "label": EditPersonForm.base_fields[name].label.removesuffix(" (optional)"),
                    "was": original[name],
                    "theirs": theirs[name],
                    "yours": yours_text[name] if name in changes else "",
                }
            )
    return rows


@require_http_methods(["GET", "POST"])
def name_add(request, pk):
    person, response = _profile(request, pk, "names")
    if response:
        return response
    policy.require(request.user, "person.edit", person)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_name(request.user, person, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Name added.")
            if "add_another" in request.POST:
                return redirect("people:name_add", pk=person.pk)
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/name_add.html", _context(request, person, "profile", form=form))


@require_POST
def name_remove(request, pk, name_pk):
    person = policy.get_visible_or_404(request.user, Person.objects.all(), pk=pk)
    policy.require(request.user, "person.edit", person)
    name = policy.get_visible_or_404(request.user, PersonName.objects.filter(person=person), pk=name_pk)
    services.do_remove_name(request.user, name)
    messages.success(request, "Name removed.")
    return redirect("people:detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def addresses(request, pk):
    person, response = _profile(request, pk, "addresses")
    if response:
        return response
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "person.edit", person)
        if form.is_valid():
            try:
                services.do_add_address(request.user, person, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Address added.")
                return redirect("people:addresses", pk=person.pk)
    rows = sorted(
        person.addresses.all(), key=lambda a: (a.moved_out is not None, -(a.moved_in or date.min).toordinal())
    )
    return render(request, "people/addresses.html", _context(request, person, "addresses", form=form, rows=rows))


@require_http_methods(["GET", "POST"])
def address_edit(request, pk, address_pk):
    person, response = _profile(request, pk, "addresses")
    if response:
        return response
    policy.require(request.user, "person.edit", person)
    address = policy.get_visible_or_404(request.user, Address.objects.filter(person=person), pk=address_pk)
    initial = {name: getattr(address, name) for name in AddressForm.base_fields}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_address(request.user, address, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Address saved.")
            return redirect("people:addresses", pk=person.pk)
    return render(
        request, "people/address_edit.html", _context(request, person, "addresses", form=form, address=address)
    )


def _linkable(user, person: Person):
    return (
        policy.visible(user, Person.objects.filter(merged_into__isnull=True))
        .exclude(pk=person.pk)
        .only("pk", "given_name", "family_name", "date_of_birth")
    )


@require_http_methods(["GET", "POST"])
def family(request, pk):
    person, response = _profile(request, pk, "family")
    if response:
        return response
    can_edit = policy.can(request.user, "person.edit", person)
    form = RelationshipForm(request.POST or None, people=_linkable(request.user, person)) if can_edit else None
    if request.method == "POST":
        policy.require(request.user, "person.edit", person)
        if form.is_valid():
            try:
                services.do_add_relationship(request.user, person, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Link added.")
                return redirect("people:family", pk=person.pk)
    links = policy.visible(
        request.user,
        Relationship.objects.filter(Q(person=person) | Q(related_person=person)).select_related(
            "person", "related_person"
        ),
    ).order_by("pk")
    rows = []
    for link in links:
        if link.person_id == person.pk:
            rows.append({"link": link, "other": link.related_person, "description": link.kind.capitalize()})
        else:
            rows.append(
                {"link": link, "other": link.person, "description": f"{person.given_name} is their {link.kind}"}
            )
    return render(request, "people/family.html", _context(request, person, "family", form=form, rows=rows))


@require_POST
def relationship_remove(request, pk, link_pk):
    person = policy.get_visible_or_404(request.user, Person.objects.all(), pk=pk)
    policy.require(request.user, "person.edit", person)
    link = policy.get_visible_or_404(
        request.user, Relationship.objects.filter(Q(person=person) | Q(related_person=person)), pk=link_pk
    )
    services.do_remove_relationship(request.user, person, link)
    messages.success(request, "Link removed.")
    return redirect("people:family", pk=person.pk)


@require_http_methods(["GET", "POST"])
def flags(request, pk):
    person, response = _profile(request, pk, "flags")
    if response:
        return response
    form = FlagForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "person.edit", person)
        if form.is_valid():
            try:
                services.do_add_flag(request.user, person, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Flag added.")
                return redirect("people:flags", pk=person.pk)
    rows = sorted(person.flags.all(), key=lambda f: (f.ended is not None, -(f.started or date.min).toordinal()))
    return render(
        request,
        "people/flags.html",
        _context(request, person, "flags", form=form, rows=rows, end_form=EndFlagForm(), today=date.today()),
    )


@require_POST
def flag_end(request, pk, flag_pk):
    person = policy.get_visible_or_404(request.user, Person.objects.all(), pk=pk)
    policy.require(request.user, "person.edit", person)
    flag = policy.get_visible_or_404(request.user, SafeguardingFlag.objects.filter(person=person), pk=flag_pk)
    form = EndFlagForm(request.POST)
    if form.is_valid():
        try:
            services.do_end_flag(request.user, flag, ended=form.cleaned_data["ended"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{flag.get_kind_display()} ended.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("people:flags", pk=person.pk)


@require_http_methods(["GET", "POST"])
def agencies(request, pk):
    person, response = _profile(request, pk, "agencies")
    if response:
        return response
    can_add = policy.can(request.user, "person.add_involvement", person)
    form = InvolvementForm(request.POST or None) if can_add else None
    if request.method == "POST":
        policy.require(request.user, "person.add_involvement", person)
        if form.is_valid():
            try:
                services.do_add_involvement(request.user, person, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Your organisation's involvement is recorded.")
                return redirect("people:agencies", pk=person.pk)
    rows = list(person.involvements.select_related("organisation", "updated_by"))
    # Rows of other organisations are refused by the rule without a query.
    editable = {row.pk for row in rows if policy.can(request.user, "involvement.edit", row)}
    return render(
        request,
        "people/agencies.html",
        _context(request, person, "agencies", form=form, rows=rows, editable=editable),
    )


@require_http_methods(["GET", "POST"])
def involvement_edit(request, pk, involvement_pk):
    person, response = _profile(request, pk, "agencies")
    if response:
        return response
    involvement = policy.get_visible_or_404(
        request.user, AgencyInvolvement.objects.filter(person=person).select_related("organisation"), pk=involvement_pk
    )
    policy.require(request.user, "involvement.edit", involvement)
    initial = {name: getattr(involvement, name) for name in InvolvementForm.base_fields}
    form = InvolvementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_involvement(request.user, involvement, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your organisation's involvement is updated.")
            return redirect("people:agencies", pk=person.pk)
    return render(
        request,
        "people/involvement_edit.html",
        _context(request, person, "agencies", form=form, involvement=involvement),
    )


def _case_url(case) -> str:
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return ""  # the cases pages are not built yet


@require_http_methods(["GET"])
def cases(request, pk):
    from roundtable.cases.models import Case

    person, response = _profile(request, pk, "cases")
    if response:
        return response
    visible = policy.visible(request.user, Case.objects.filter(person=person)).select_related(
        "owner", "lead_organisation"
    )
    rows = [{"case": case, "url": _case_url(case)} for case in visible]
    return render(request, "people/cases.html", _context(request, person, "cases", rows=rows))


@require_http_methods(["GET"])
def history(request, pk):
    person, response = _profile(request, pk, "history")
    if response:
        return response
    events = [(event, ACTION_LABELS.get(event.action, event.action)) for event in history_of(person_id=person.pk)]
    return render(request, "people/history.html", _context(request, person, "history", events=events))


@require_http_methods(["GET", "POST"])
def merge(request, pk):
    person, response = _profile(request, pk, "merge")
    if response:
        return response
    policy.require(request.user, "person.merge", person)
    form = MergeForm(request.POST or None, people=_linkable(request.user, person))
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        survivor, duplicate = (person, other) if form.cleaned_data["keep"] == "this" else (other, person)
        try:
            services.do_merge_people(request.user, survivor=survivor, duplicate=duplicate)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error("other", "You cannot merge these profiles: you must be able to see both")
        else:
            messages.success(request, f"Profiles merged. {duplicate.full_name}'s profile now points here.")
            return redirect("people:detail", pk=survivor.pk)
    return render(request, "people/merge.html", _context(request, person, "profile", form=form))
