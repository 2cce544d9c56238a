"""What users and administrators can do to accounts. Each operation checks the access
policy, changes data in one transaction and writes its audit event there too."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.access import policy
from roundtable.accounts.models import Area, Invitation, Organisation, Role, Sector, User
from roundtable.audit.services import record


def _check_role_assignable(actor, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role. Choose one of: {', '.join(Role.values)}."})
    if actor is not None and role not in dict(policy_roles(actor)):
        raise PermissionDenied("You cannot give that role")


def policy_roles(actor) -> list[tuple[str, str]]:
    from roundtable.access.rules.accounts import assignable_roles

    return assignable_roles(actor) if actor is not None else list(Role.choices)


@transaction.atomic
def do_create_organisation(actor, *, name: str, area: Area, sector: str) -> Organisation:
    policy.permit(actor, "organisation.create")
    name = name.strip()
    if Organisation.objects.filter(area=area, name__iexact=name).exists():
        raise ValidationError({"name": f"{area.name} already has an organisation called {name}."})
    organisation = Organisation.objects.create(name=name, area=area, sector=sector)
    record(actor, "organisation.created", organisation, actor_label="manage.py", sector=sector, area=area.name)
    return organisation


def _invitation_link(raw_token: str) -> str:
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[raw_token])


def _send_invitation_email(invitation: Invitation, raw_token: str) -> None:
    # The e-mail carries a link and the organisation's name only: no personal data about anyone else.
    link = _invitation_link(raw_token)
    send_mail(
        subject="You have been invited to Roundtable",
        message=(
            f"You have been invited to join Roundtable as part of {invitation.organisation.name}.\n\n"
            f"Set your password and set up your authenticator app here:\n{link}\n\n"
            f"This link works once and expires on {timezone.localtime(invitation.expires_at):%d %B %Y at %H:%M}.\n"
            "If you were not expecting this, you can ignore this e-mail."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def do_invite_user(actor, *, email: str, full_name: str, organisation: Organisation, role: str, job_title: str = ""):
    """Create the (inactive) account and a one-use link. Returns (invitation, raw token)."""
    policy.permit(actor, "user.invite", organisation)
    _check_role_assignable(actor, role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address already has an account."})
    user = User.objects.create_user(
        email=email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        organisation=organisation,
        role=role,
        is_active=False,
    )
    invitation, raw = _new_invitation(actor, user)
    record(actor, "user.invited", user, role=role, organisation=organisation.name, actor_label="manage.py")
    return invitation, raw


def _new_invitation(actor, user: User) -> tuple[Invitation, str]:
    raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=user.email,
        full_name=user.full_name,
        organisation=user.organisation,
        role=user.role,
        token_hash=token_hash,
        invited_by=actor,
        user=user,
        expires_at=Invitation.default_expiry(),
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation, raw))
    return invitation, raw


@transaction.atomic
def do_resend_invitation(actor, user: User) -> tuple[Invitation, str]:
    policy.permit(actor, "user.manage", user)
    if user.has_usable_password():
        raise ValidationError("This person has already accepted their invitation.")
    Invitation.objects.usable().filter(user=user).update(revoked_at=timezone.now())
    invitation, raw = _new_invitation(actor, user)
    record(actor, "user.invitation_resent", user)
    return invitation, raw


class InvitationProblem(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""


def check_invitation(raw_token: str) -> Invitation:
    invitation = Invitation.find_by_token(raw_token) if raw_token else None
    if invitation is None:
        raise InvitationProblem("This invitation link is not valid. Check you copied the whole link from the e-mail.")
    if invitation.state == "accepted":
        raise InvitationProblem("This invitation has already been used. Sign in with your e-mail address and password.")
    if invitation.state == "revoked":
        raise InvitationProblem("This invitation has been replaced by a newer one. Use the link in the latest e-mail.")
    if invitation.state == "expired":
        raise InvitationProblem(
            "This invitation has expired. Ask your organisation's administrator to send you a new one."
        )
    return invitation


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def do_accept_invitation(raw_token: str, *, password: str, code: str) -> User:
    invitation = check_invitation(raw_token)
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    errors = {}
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    device = enrolment_device(user)
    if not device.verify_token(code.replace(" ", "")):
        errors["code"] = ["The code is not correct. Enter the 6-digit code your authenticator app shows now."]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(user, "user.invitation_accepted", user)
    return user


@transaction.atomic
def do_change_role(actor, user: User, role: str) -> None:
    policy.permit(actor, "user.manage", user)
    _check_role_assignable(actor, role)
    before = user.role
    if before == role:
        return
    user.role = role
    user.save(update_fields=["role"])
    # A role change takes effect everywhere at once, so end the sessions that carry the old role.
    user.end_all_sessions()
    record(actor, "user.role_changed", user, before=before, after=role)


@transaction.atomic
def do_deactivate_user(actor, user: User, reason: str = "") -> None:
    policy.permit(actor, "user.manage", user)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.end_all_sessions()
    Invitation.objects.usable().filter(user=user).update(revoked_at=timezone.now())
    record(actor, "user.deactivated", user, reason=reason)


@transaction.atomic
def do_reactivate_user(actor, user: User) -> None:
    policy.permit(actor, "user.manage", user)
    if not user.has_usable_password():
        raise ValidationError("This person has not accepted their invitation yet: resend it instead.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor, "user.reactivated", user)


@transaction.atomic
def do_sign_out_everywhere(user: User) -> None:
    user.end_all_sessions()
    record(user, "user.signed_out_everywhere", user)


@transaction.atomic
def do_create_user_with_device(*, email: str, full_name: str, organisation: Organisation, role: str, password: str):
    """Scripted provisioning (manage.py create_user): an active account with a confirmed authenticator."""
    _check_role_assignable(None, role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"A user with e-mail {email} already exists."})
    user = User(email=email, full_name=full_name.strip(), organisation=organisation, role=role)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    record(None, "user.created", user, actor_label="manage.py", role=role, organisation=organisation.name)
    return user, device


@transaction.atomic
def do_invite_partner(
    actor,
    *,
    email: str,
    full_name: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    sector: str = "",
    area: Area | None = None,
    reason: str = "",
) -> tuple[Invitation, str]:
    """Bring a partner onto Roundtable for shared work (a case owner adding a member).

    Callers check the actor may do this (cases: only an owner of the case). The new
    account is always a practitioner: sharing a case never hands out an elevated role.
    When ``organisation`` is None an organisation called ``organisation_name`` in
    ``area`` is used, or created (partners must be brought on quickly when a referral
    names them; a system administrator can tidy or deactivate it later)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address already has an account."})
    if organisation is None:
        name = organisation_name.strip()
        if not name or area is None:
            raise ValidationError({"organisation_name": "Enter the name of their organisation."})
        organisation = Organisation.objects.filter(area=area, name__iexact=name).first()
        if organisation is None:
            if sector not in Sector.values:
                raise ValidationError({"sector": "Choose the sector of their organisation."})
            organisation = Organisation.objects.create(name=name, area=area, sector=sector)
            record(actor, "organisation.created", organisation, reason=reason, sector=sector, area=area.name)
    user = User.objects.create_user(
        email=email, full_name=full_name.strip(), organisation=organisation, role=Role.PRACTITIONER, is_active=False
    )
    invitation, raw = _new_invitation(actor, user)
    record(actor, "user.invited", user, reason=reason, role=Role.PRACTITIONER, organisation=organisation.name)
    return invitation, raw
