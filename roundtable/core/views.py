from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from roundtable.accounts.middleware import public
from roundtable.audit.services import recent_sign_ins
from roundtable.core.home import home_panels


@require_GET
def home(request):
    context = {"sign_ins": recent_sign_ins(request.user), "panels": home_panels(request)}
    return render(request, "core/home.html", context)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:
        return False


@public
@never_cache
@require_GET
def healthz(request):
    checks = {"database": "ok" if _database_ok() else "failing", "cache": "ok" if _cache_ok() else "failing"}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503)
