"""Channel pages. Thin: look up through the access policy, call a service, render.

The public referral page needs no account: it is rate-limited per client address, has
a honeypot, and acknowledges with a reference number only (it never shows back what
was sent). Every workflow step page is built from the declaration in workflow.py."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.access import policy
from roundtable.accounts.middleware import public
from roundtable.audit.services import record
from roundtable.cases.models import Case
from roundtable.cases.navigation import case_sections
from roundtable.channel import referral_pages, services
from roundtable.channel.forms import HONEYPOT, ReferralForm, TransitionForm
from roundtable.channel.models import Referral, ReferrerSector
from roundtable.core import workflow as engine

PAGE_SIZE = 50
SENT_KEY = "channel_referral_reference"
SECTOR_OF_ORGANISATION = {
    "police": ReferrerSector.POLICE,
    "local_authority": ReferrerSector.LOCAL_AUTHORITY,
    "education": ReferrerSector.EDUCATION,
    "health": ReferrerSector.HEALTH,
    "probation": ReferrerSector.PROBATION,
    "voluntary": ReferrerSector.COMMUNITY,
}


# --- Public referral ---------------------------------------------------------------------------
def _rate_key(request) -> str:
    address = request.META.get("REMOTE_ADDR") or "unknown"
    # Hashed: the cache never holds a plain client address.
    return "channel:referrals:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _limit() -> tuple[int, int]:
    return settings.REFERRAL_RATE_LIMIT, settings.REFERRAL_RATE_WINDOW_MINUTES * 60


def _over_limit(request) -> bool:
    limit, _window = _limit()
    return (cache.get(_rate_key(request)) or 0) >= limit


def _count_submission(request) -> None:
    _limit_, window = _limit()
    key = _rate_key(request)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def _too_many(request):
    with transaction.atomic():
        record(None, "channel.referral_rate_limited", None, actor_label="public referral page")
    context = {"window": settings.REFERRAL_RATE_WINDOW_MINUTES}
    return render(request, "channel/public_too_many.html", context, status=429)


def _where(request, panels: list):
    """With more than one panel taking referrals, and at least one using its own form: the
    panel chosen on the "where does the person live" page, None until one is chosen, and
    the panel's referral form (None: the built-in form)."""
    if len(panels) == 1:
        return panels[0], referral_pages.referral_definition(panels[0])
    wanted = request.POST.get("panel") or request.GET.get("panel") or ""
    panel = next((p for p in panels if str(p.pk) == wanted), None)
    return panel, referral_pages.referral_definition(panel)


def _any_own_form(panels: list) -> bool:
    return any(referral_pages.referral_definition(panel) for panel in panels)


def _where_page(request, panels: list, template_public: bool):
    error = "Select where the person lives" if "panel" in request.GET else ""
    context = {"panels": panels, "public": template_public, "error": error}
    return render(request, "channel/refer_where.html", context, status=200)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def public_refer(request):
    panels = list(services.referral_panels())
    if request.method == "POST" and _over_limit(request):
        return _too_many(request)
    if request.method == "POST" and (request.POST.get(HONEYPOT) or "").strip():
        # Acknowledged like any other, so a bot learns nothing; nothing is stored.
        _count_submission(request)
        with transaction.atomic():
            record(None, "channel.referral_honeypot", None, actor_label="public referral page")
        request.session[SENT_KEY] = Referral.new_reference()
        return redirect("referral:sent")
    panel, definition = _where(request, panels) if panels else (None, None)
    if len(panels) > 1 and panel is None and _any_own_form(panels):
        return _where_page(request, panels, template_public=True)
    if definition is not None:
        referral, response = referral_pages.submit(request, panel, definition, submitter=None)
        if referral is None:
            return response
        _count_submission(request)
        request.session[SENT_KEY] = referral.reference
        return redirect("referral:sent")
    choosable = [panel] if panel is not None and len(panels) > 1 else panels
    form = ReferralForm(request.POST if request.method == "POST" else None, panels=choosable)
    if request.method == "POST" and panels and form.is_valid():
        try:
            referral = services.do_submit_referral(
                None, form.chosen_panel(), form.details(), source=Referral.Source.PUBLIC
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            _count_submission(request)
            request.session[SENT_KEY] = referral.reference
            return redirect("referral:sent")
    context = {"form": form, "panels": panels, "fixed_panel": panel if choosable != panels else None}
    return render(request, "channel/public_refer.html", context)


@public
@never_cache
@require_GET
def public_sent(request):
    reference = request.session.pop(SENT_KEY, None)
    if reference is None:
        return redirect("referral:refer")
    return render(request, "channel/public_sent.html", {"reference": reference})


# --- In-app referral ------------------------------------------------------------------------------
def _initial_referrer(user) -> dict:
    return {
        "referrer_name": user.full_name,
        "referrer_organisation": user.organisation.name,
        "referrer_role": user.job_title,
        "referrer_email": user.email,
        "referrer_sector": SECTOR_OF_ORGANISATION.get(user.organisation.sector, ReferrerSector.OTHER),
    }


@require_http_methods(["GET", "POST"])
def refer(request):
    policy.require(request.user, "channel.refer")
    panels = list(services.referral_panels())
    panel, definition = _where(request, panels) if panels else (None, None)
    if len(panels) > 1 and panel is None and _any_own_form(panels):
        return _where_page(request, panels, template_public=False)
    if definition is not None:
        referral, response = referral_pages.submit(
            request, panel, definition, submitter=request.user, initial=_initial_referrer(request.user)
        )
        if referral is None:
            return response
        return _referral_sent(request, referral)
    choosable = [panel] if panel is not None and len(panels) > 1 else panels
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, panels=choosable, public=False, initial=_initial_referrer(request.user))
    if request.method == "POST" and panels and form.is_valid():
        try:
            referral = services.do_submit_referral(
                request.user, form.chosen_panel(), form.details(), source=Referral.Source.IN_APP
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            return _referral_sent(request, referral)
    context = {"form": form, "panels": panels, "fixed_panel": panel if choosable != panels else None}
    return render(request, "channel/refer.html", context)


def _referral_sent(request, referral):
    messages.success(
        request,
        f"Referral sent. Its reference is {referral.reference}. The police Prevent team will screen it.",
    )
    return redirect("core:home")


# --- The Prevent team's queue -------------------------------------------------------------------
@require_GET
def queue(request):
    policy.require(request.user, "channel.queue")
    page = Paginator(services.queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    today = timezone.localdate()
    for row in rows:
        row.days_waiting = (today - timezone.localdate(row.referred_at)).days
    with transaction.atomic():
        record(request.user, "channel.queue_viewed", None, case_ids=[r.case_id for r in rows], count=len(rows))
    return render(request, "channel/queue.html", {"page": page, "rows": rows})


# --- A Channel case -------------------------------------------------------------------------------
def _context(channel_case, **extra) -> dict:
    case = channel_case.case
    context = {"case": case, "channel_case": channel_case, "case_sections": case_sections(case), "active": "channel"}
    return {**context, **extra}


def _channel_case(request, case_pk):
    return services.channel_case_for(request.user, case_pk)


def _audit_read(request, action: str, channel_case, **details) -> None:
    case = channel_case.case
    with transaction.atomic():
        record(request.user, action, case, case_id=case.pk, person_id=case.person_id, **details)


@require_GET
def case(request, case_pk):
    """The Channel steps of a case as a task list, its flags, the referral and the history."""
    try:
        channel_case = _channel_case(request, case_pk)
    except Http404:
        # A Channel case made by hand (not from a referral) has no steps: say so, once we know it may be seen.
        record_case = policy.get_visible_or_404(request.user, Case.objects.filter(kind=Case.Kind.CHANNEL), pk=case_pk)
        context = {"case": record_case, "case_sections": case_sections(record_case), "active": "channel"}
        return render(request, "channel/no_channel.html", context)
    _audit_read(request, "channel.case_viewed", channel_case)
    events = engine.history(request.user, channel_case.case)
    availabilities = services.transitions_for(request.user, channel_case)
    steps = engine.step_statuses(request.user, channel_case, events, availabilities)
    workflow = channel_case.workflow
    others = [
        a
        for a in availabilities
        if not a.transition.step and workflow.may_act(request.user, channel_case, a.transition)
    ]
    history = [
        {
            "event": event,
            "transition": workflow.transitions.get(event.transition),
            "lines": engine.event_lines(event),
            "moved": engine.moved(workflow, event),
        }
        for event in events
    ]
    context = _context(
        channel_case,
        steps=steps,
        others=others,
        history=history,
        pending_transfer=channel_case.pending_transfer,
        may_deconflict=policy.can(request.user, "channel.deconfliction", channel_case),
    )
    return render(request, "channel/case.html", context)


@require_GET
def referral(request, case_pk):
    """The referral as given, and (for the panel's Prevent officers) the deconfliction search."""
    channel_case = _channel_case(request, case_pk)
    deconfliction = None
    if policy.can(request.user, "channel.deconfliction", channel_case):
        deconfliction = services.deconfliction_for(request.user, channel_case)
    _audit_read(request, "channel.referral_viewed", channel_case)
    answers = referral_pages.form_answers(request.user, channel_case.referral)
    context = _context(channel_case, referral=channel_case.referral, deconfliction=deconfliction, **answers)
    return render(request, "channel/referral.html", context)


def _open_transitions(request, channel_case, transitions) -> list:
    """The transitions of this page that are open now and that the user may make (else 404:
    a refusal on a page confirms nothing)."""
    workflow = channel_case.workflow
    mine = [
        t for t in transitions if channel_case.state in t.sources and workflow.may_act(request.user, channel_case, t)
    ]
    if not mine:
        raise Http404
    return mine


def _transition_page(request, channel_case, transitions, title: str, hint: str = "", extra: dict | None = None):
    workflow = channel_case.workflow
    blocked = {t.name: workflow.unmet(t, channel_case, request.user) for t in transitions}
    ready = [t for t in transitions if not blocked[t.name]]
    problems = [p for t in transitions for p in blocked[t.name]] if not ready else []
    # Choices of this step the user could make but not now, each with why (the other half of
    # a two-person endorsement, an exit while significant harm has no social care referral).
    unavailable = [(t, blocked[t.name]) for t in transitions if blocked[t.name]] if ready else []
    form = TransitionForm(
        request.POST if request.method == "POST" else None, transitions=ready or transitions, subject=channel_case
    )
    status = 200
    asked_for = request.POST.get("transition") if request.method == "POST" else None
    refused = next((problems_ for t, problems_ in unavailable if t.name == asked_for), None)
    if refused:
        # Sent from a page that offered it a moment ago: say why it cannot be made now.
        form.is_valid()
        form.errors.clear()
        form.add_error(None, " ".join(refused))
        status = 409
    elif request.method == "POST" and ready and form.is_valid():
        chosen = form.chosen()
        try:
            services.do_channel_transition(request.user, channel_case, chosen.name, form.recorded())
        except engine.TransitionRefused as refused:
            form.add_error(None, " ".join(refused.problems))
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            status = 403
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, f"Recorded: {chosen.label}. The case is now “{channel_case.state_label}”.")
            return redirect("channel:case", channel_case.case_id)
    context = _context(
        channel_case, form=form, title=title, hint=hint, problems=problems, ready=ready, unavailable=unavailable
    )
    return render(request, "channel/transition.html", {**context, **(extra or {})}, status=status)


@require_http_methods(["GET", "POST"])
def step(request, case_pk, step):
    """One step of the task list (screening, next steps, panel decision, …): its choices."""
    channel_case = _channel_case(request, case_pk)
    workflow = channel_case.workflow
    declared = next((s for s in workflow.steps if s.key == step), None)
    if declared is None:
        raise Http404
    transitions = _open_transitions(request, channel_case, workflow.transitions_in_step(step))
    extra = services.review_context(channel_case) if step == "review" else None
    return _transition_page(request, channel_case, transitions, declared.label, declared.hint, extra)


@require_http_methods(["GET", "POST"])
def transition(request, case_pk, name):
    """One transition on its own (escalate, record significant harm, offer a transfer, …)."""
    channel_case = _channel_case(request, case_pk)
    declared = channel_case.workflow.transitions.get(name)
    if declared is None:
        raise Http404
    [only] = _open_transitions(request, channel_case, [declared])
    return _transition_page(request, channel_case, [only], only.label, only.hint)
