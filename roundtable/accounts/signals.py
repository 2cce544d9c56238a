"""Sign-in, sign-out and lock-outs are audit events. These are Django's and django-axes'
own authentication hooks, not model signals: changes are audited by the services."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from roundtable.audit.services import record


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    record(user, "sign_in.succeeded", user)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "sign_out", user, reason=getattr(request, "sign_out_reason", ""))


@receiver(user_login_failed)
def audit_sign_in_failure(sender, credentials, request=None, **kwargs):
    # Django scrubs the password from credentials before sending this signal.
    email = str(credentials.get("email") or credentials.get("username") or "")
    record(None, "sign_in.failed", actor_label=email, stage=credentials.get("stage", "password"))


@receiver(user_locked_out)
def audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    record(None, "sign_in.locked_out", actor_label=str(username or ""))
