"""In-app notices: each user sees and marks only their own."""

import pytest
from django.test import RequestFactory

from roundtable.api.services import do_create_token
from roundtable.notifications.context_processors import unread_notices
from roundtable.notifications.models import Notice
from roundtable.notifications.services import notify
from tests.conftest import force_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(cast):
    me, other = cast["practitioner"], cast["panel_chair"]
    return {
        "first": notify(me, "You have a task due tomorrow on case RT-1", "/tasks/1/", email=False),
        "second": notify(me, "You have an overdue task on case RT-2", "/tasks/2/", email=False),
        "theirs": notify(other, "Someone else's notice", "/tasks/3/", email=False),
    }


def test_the_list_shows_only_my_notices_with_the_unread_count(client, cast, notices):
    force_sign_in(client, cast["practitioner"])
    response = client.get("/notices/")
    page = response.content.decode()
    assert "You have an overdue task on case RT-2" in page
    assert "Someone else's notice" not in page
    assert response.context["unread"] == 2


def test_marking_one_notice_read(client, cast, notices):
    force_sign_in(client, cast["practitioner"])
    assert client.post(f"/notices/{notices['first'].pk}/read/").status_code == 302
    notices["first"].refresh_from_db()
    notices["second"].refresh_from_db()
    assert notices["first"].read_at is not None
    assert notices["second"].read_at is None


def test_someone_elses_notice_is_404_and_stays_unread(client, cast, notices):
    force_sign_in(client, cast["practitioner"])
    assert client.post(f"/notices/{notices['theirs'].pk}/read/").status_code == 404
    notices["theirs"].refresh_from_db()
    assert notices["theirs"].read_at is None


def test_marking_all_read_touches_only_my_notices(client, cast, notices):
    force_sign_in(client, cast["practitioner"])
    client.post("/notices/read-all/")
    assert not Notice.objects.filter(recipient=cast["practitioner"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=cast["panel_chair"], read_at__isnull=True).count() == 1


def test_the_header_context_processor_counts_my_unread_notices(cast, notices):
    request = RequestFactory().get("/")
    request.user = cast["practitioner"]
    request.user.is_verified = lambda: True
    assert unread_notices(request)["unread_notice_count"] == 2
    anonymous = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    assert unread_notices(anonymous)["unread_notice_count"] == 0


def test_the_api_lists_and_marks_my_notices(client, cast, notices):
    _, raw = do_create_token(cast["practitioner"], name="t", days=1)
    headers = {"Authorization": f"Bearer {raw}"}
    data = client.get("/api/v1/notices/", headers=headers).json()
    assert data["unread"] == 2
    assert [n["message"] for n in data["notices"]] == [
        "You have an overdue task on case RT-2",
        "You have a task due tomorrow on case RT-1",
    ]
    assert client.post(f"/api/v1/notices/{notices['theirs'].pk}/read", headers=headers).status_code == 404
    assert client.post(f"/api/v1/notices/{notices['first'].pk}/read", headers=headers).json()["read_at"]
    assert client.post("/api/v1/notices/read-all", headers=headers).json() == {"marked_read": 1}


@pytest.mark.parametrize("rows", [10, 200])
def test_the_notice_list_query_count_does_not_grow(client, cast, rows, django_assert_max_num_queries):
    me = cast["practitioner"]
    Notice.objects.bulk_create([Notice(recipient=me, message=f"Notice {i}", url="/tasks/") for i in range(rows)])
    force_sign_in(client, me)
    with django_assert_max_num_queries(8):
        assert client.get("/notices/").status_code == 200
