"""The user's own notices: list them, mark one or all read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from roundtable.access import policy
from roundtable.notifications import services
from roundtable.notifications.models import Notice

PAGE_SIZE = 50


@require_GET
def notice_list(request):
    notices = policy.visible(request.user, Notice.objects.all()).order_by("-created_at", "-id")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = policy.visible(request.user, Notice.objects.filter(read_at__isnull=True)).count()
    context = {"page": page, "notices": list(page.object_list), "unread": unread}
    return render(request, "notifications/notice_list.html", context)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def mark_read(request, pk):
    notice = policy.get_visible_or_404(request.user, Notice.objects.all(), pk=pk)
    services.do_mark_notice_read(request.user, notice)
    return _back(request)


@require_POST
def mark_all_read(request):
    count = services.do_mark_all_notices_read(request.user)
    messages.success(
        request,
        f"{count} notice{'s' if count != 1 else ''} marked as read." if count else "You have no unread notices.",
    )
    return redirect("notifications:list")
