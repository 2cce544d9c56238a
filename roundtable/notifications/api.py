"""Notices API: the signed-in user's own notices, and marking them read."""

from datetime import datetime

from django.core.paginator import Paginator
from ninja import Router, Schema

from roundtable.access import policy
from roundtable.api.schemas import ErrorOut
from roundtable.notifications import services
from roundtable.notifications.models import Notice

router = Router(tags=["notifications"])
PAGE_SIZE = 100


class NoticeOut(Schema):
    id: int
    message: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NoticePageOut(Schema):
    unread: int
    page: int
    pages: int
    notices: list[NoticeOut]


class MarkedOut(Schema):
    marked_read: int


@router.get("/", response=NoticePageOut, url_name="notices", summary="Your notices, newest first")
def notices(request, unread_only: bool = False, page: int = 1):
    mine = policy.visible(request.auth, Notice.objects.all())
    listed = mine.filter(read_at__isnull=True) if unread_only else mine
    current = Paginator(listed.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page)
    return {
        "unread": mine.filter(read_at__isnull=True).count(),
        "page": current.number,
        "pages": current.paginator.num_pages,
        "notices": list(current.object_list),
    }


@router.post(
    "/{notice_id}/read",
    response={200: NoticeOut, 404: ErrorOut},
    url_name="mark_notice_read",
    summary="Mark a notice read",
)
def mark_read(request, notice_id: int):
    notice = policy.get_visible_or_404(request.auth, Notice.objects.all(), pk=notice_id)
    return services.do_mark_notice_read(request.auth, notice)


@router.post("/read-all", response=MarkedOut, url_name="mark_all_notices_read", summary="Mark all your notices read")
def mark_all_read(request):
    return {"marked_read": services.do_mark_all_notices_read(request.auth)}
