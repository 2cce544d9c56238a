"""Sign-in with password then one-time code; invitations; user and organisation management.

Views stay thin: parse the form, call a service, render."""

import time

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.access import policy
from roundtable.accounts import services
from roundtable.accounts.forms import (
    AcceptInvitationForm,
    ChangeRoleForm,
    CodeForm,
    DeactivateForm,
    InviteUserForm,
    OrganisationForm,
    SignInForm,
)
from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT, public
from roundtable.accounts.models import Invitation, Organisation, User
from roundtable.audit.services import record

PENDING_USER = "pending_user_id"
PENDING_BACKEND = "pending_backend"
ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for {} minutes.",
    "absolute": "You were signed out because you had been signed in for {} hours.",
}


def _ended_message(why: str) -> str | None:
    if why == "idle":
        return ENDED_MESSAGES[why].format(settings.SESSION_IDLE_TIMEOUT_MINUTES)
    if why == "absolute":
        return ENDED_MESSAGES[why].format(settings.SESSION_ABSOLUTE_TIMEOUT_HOURS)
    return None


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _finish_sign_in(request, user, device=None):
    login(request, user, backend="roundtable.accounts.backends.UserBackend")
    if device is not None:
        otp_login(request, device)
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is locked."""
    request.session.pop(PENDING_USER, None)
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@public
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    ended = _ended_message(request.GET.get("ended", ""))
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, email=form.cleaned_data["email"].lower(), password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, "The e-mail address or password is not correct")
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None and settings.REQUIRE_2FA:
                form.add_error(
                    None,
                    "Your account has no authenticator app set up. Ask your organisation's administrator "
                    "to send you a new invitation.",
                )
            elif device is None:
                _finish_sign_in(request, user)
                return redirect(_safe_next(request))
            else:
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                next_url = _safe_next(request)
                return redirect(f"{reverse('accounts:sign_in_code')}?{urlencode({'next': next_url})}")
    return render(request, "accounts/sign_in.html", {"form": form, "ended": ended, "next": request.GET.get("next", "")})


@public
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    user = User.objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()
    if user is None:
        messages.info(request, "Sign in with your e-mail address and password first.")
        return redirect("accounts:sign_in")
    credentials = {"email": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(form.cleaned_data["code"]):
            del request.session[PENDING_USER]
            _finish_sign_in(request, user, device)
            return redirect(_safe_next(request))
        user_login_failed.send(sender=__name__, credentials={**credentials, "stage": "code"}, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            return locked_out(request)
        form.add_error("code", "The code is not correct. Check your authenticator app and enter the code it shows now.")
    return render(request, "accounts/sign_in_code.html", {"form": form, "next": request.GET.get("next", "")})


@public
@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign_in")


@public
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    try:
        invitation = services.check_invitation(token)
    except services.InvitationProblem as problem:
        return render(request, "accounts/invitation_problem.html", {"problem": str(problem)}, status=410)
    device = services.enrolment_device(invitation.user)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.do_accept_invitation(
                token, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        except services.InvitationProblem as problem:
            return render(request, "accounts/invitation_problem.html", {"problem": str(problem)}, status=410)
        else:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            _finish_sign_in(request, user, device)
            messages.success(request, "Your account is ready. Welcome to Roundtable.")
            return redirect("core:home")
    qr = segno.make(device.config_url, micro=False)
    return render(
        request,
        "accounts/accept_invitation.html",
        {
            "form": form,
            "invitation": invitation,
            "qr_svg": qr.svg_inline(scale=5, title="QR code for your authenticator app"),
            "secret": _base32_secret(device),
        },
    )


def _base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET"])
def account(request):
    return render(request, "accounts/account.html", {})


@require_POST
def sign_out_everywhere(request):
    services.do_sign_out_everywhere(request.user)
    logout(request)
    messages.success(request, "You have been signed out on every device.")
    return redirect("accounts:sign_in")


# --- User management -------------------------------------------------------------------


def user_list(request):
    policy.require(request.user, "user.list")
    users = policy.visible(request.user, User.objects.select_related("organisation"))
    state = request.GET.get("state", "")
    if state == "active":
        users = users.filter(is_active=True)
    elif state == "inactive":
        users = users.filter(is_active=False)
    record(request.user, "user.list_viewed", None, state=state)
    return render(request, "accounts/user_list.html", {"users": users, "state": state})


@require_http_methods(["GET", "POST"])
def invite_user(request):
    policy.require(request.user, "user.invite")
    organisations = policy.visible(request.user, Organisation.objects.filter(is_active=True))
    form = InviteUserForm(request.POST or None, organisations=organisations, roles=services.policy_roles(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.do_invite_user(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link expires in {settings.INVITATION_VALID_DAYS} days.",
            )
            return redirect("accounts:user_detail", pk=invitation.user_id)
    return render(request, "accounts/invite_user.html", {"form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _managed_user(request, pk) -> User:
    target = policy.get_visible_or_404(request.user, User.objects.select_related("organisation"), pk=pk)
    policy.require(request.user, "user.manage", target)
    return target


def user_detail(request, pk):
    target = _managed_user(request, pk)
    record(request.user, "user.viewed", target)
    invitations = Invitation.objects.filter(user=target)[:5]
    role_form = ChangeRoleForm(initial={"role": target.role}, roles=services.policy_roles(request.user))
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "invitations": invitations,
            "role_form": role_form,
            "deactivate_form": DeactivateForm(),
            "is_self": target.pk == request.user.pk,
        },
    )


@require_POST
def change_role(request, pk):
    target = _managed_user(request, pk)
    form = ChangeRoleForm(request.POST, roles=services.policy_roles(request.user))
    if form.is_valid():
        services.do_change_role(request.user, target, form.cleaned_data["role"])
        messages.success(request, f"{target.full_name} is now a {target.get_role_display().lower()}.")
        return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "role_form": form, "deactivate_form": DeactivateForm(), "invitations": []},
        status=400,
    )


@require_POST
def deactivate_user(request, pk):
    target = _managed_user(request, pk)
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            services.do_deactivate_user(request.user, target, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, f"{target.full_name}'s account is deactivated and their sessions have ended.")
            return redirect("accounts:user_detail", pk=target.pk)
    role_form = ChangeRoleForm(initial={"role": target.role}, roles=services.policy_roles(request.user))
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "role_form": role_form, "deactivate_form": form, "invitations": []},
        status=400,
    )


@require_POST
def reactivate_user(request, pk):
    target = _managed_user(request, pk)
    try:
        services.do_reactivate_user(request.user, target)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{target.full_name}'s account is active again.")
    return redirect("accounts:user_detail", pk=target.pk)


@require_POST
def resend_invitation(request, pk):
    target = _managed_user(request, pk)
    try:
        invitation, _ = services.do_resend_invitation(request.user, target)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, f"A new invitation has been sent to {invitation.email}. Earlier links no longer work."
        )
    return redirect("accounts:user_detail", pk=target.pk)


# --- Organisations -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def organisation_list(request):
    policy.require(request.user, "organisation.list")
    form = OrganisationForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "organisation.create")
        if form.is_valid():
            try:
                organisation = services.do_create_organisation(request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{organisation.name} has been added.")
                return redirect("accounts:organisation_detail", pk=organisation.pk)
    organisations = policy.visible(request.user, Organisation.objects.select_related("area")).order_by(
        "area__name", "name"
    )
    return render(request, "accounts/organisation_list.html", {"organisations": organisations, "form": form})


def organisation_detail(request, pk):
    organisation = policy.get_visible_or_404(request.user, Organisation.objects.select_related("area"), pk=pk)
    policy.require(request.user, "organisation.manage", organisation)
    users = policy.visible(request.user, organisation.users.all())
    return render(request, "accounts/organisation_detail.html", {"organisation": organisation, "users": users})
