from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.access import policy
from roundtable.api.models import TOKEN_PREFIX, ApiToken, hash_token
from roundtable.audit.services import record


@transaction.atomic
def do_create_token(user, *, name: str, days: int | None) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, so you know what it is for"})
    raw, token_hash = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=token_hash,
        prefix=raw[:10],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    record(user, "api_token.created", token, expires_at=str(token.expires_at or "never"))
    return token, raw


@transaction.atomic
def do_revoke_token(user, token: ApiToken) -> None:
    token = policy.get_visible_or_404(user, ApiToken.objects.select_for_update(), pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(user, "api_token.revoked", token)


class TokenProblem(Exception):
    pass


def authenticate_token(raw: str):
    """The active user behind a bearer token, or TokenProblem saying exactly what is wrong."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) < 20:
        raise TokenProblem("The token is malformed. Tokens start with 'rt_'; copy the whole token.")
    token = ApiToken.objects.select_related("user__organisation__area").filter(token_hash=hash_token(raw)).first()
    if token is None:
        raise TokenProblem("The token is not recognised.")
    if token.revoked_at is not None:
        raise TokenProblem("The token has been revoked.")
    if token.expires_at is not None and token.expires_at <= timezone.now():
        raise TokenProblem("The token has expired.")
    if not token.user.is_active:
        raise TokenProblem("The token's user account is deactivated.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
