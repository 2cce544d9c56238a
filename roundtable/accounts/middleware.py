"""Every page needs a signed-in user who has passed the second factor, unless the view
is marked public. Sessions end after a spell of idleness and after an absolute limit."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# Write the sliding idle clock at most once a minute rather than on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def public(view):
    """Mark a view as reachable without signing in (sign-in pages, health check)."""
    view.roundtable_public = True
    return view


def _is_public(view_func) -> bool:
    target = getattr(view_func, "view_class", view_func)
    return getattr(target, "roundtable_public", False) or getattr(view_func, "roundtable_public", False)


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SIGNED_IN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600:
                return self._end(request, "absolute")
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                return self._end(request, "idle")
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, why: str):
        request.sign_out_reason = f"session.timeout.{why}"
        logout(request)
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": "Your session has ended. Sign in again."}, status=401)
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'ended': why, 'next': request.get_full_path()})}")


class RequireVerifiedUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL) or request.path.startswith("/api/"):
            return None  # static files are public; the API authenticates each call itself
        if _is_public(view_func):
            return None
        user = request.user
        if user.is_authenticated and (user.is_verified() or not settings.REQUIRE_2FA):
            return None
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': request.get_full_path()})}")
