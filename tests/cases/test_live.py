"""The live chronology socket: only members join a case's group, and messages carry IDs only."""

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from roundtable.cases import services
from roundtable.core.routing import websocket_urlpatterns
from tests.cases.conftest import SECRET

pytestmark = pytest.mark.django_db

application = URLRouter(websocket_urlpatterns)


def _session(user, **overrides) -> dict:
    now = time.time()
    session = {SIGNED_IN_AT: now, LAST_SEEN: now}
    if user.is_authenticated:
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    return {**session, **overrides}


def _communicator(user, case, session=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/cases/{case.pk}/")
    communicator.scope["user"] = user
    communicator.scope["session"] = _session(user) if session is None else session
    return communicator


def _connects(user, case, session=None) -> bool:
    communicator = _communicator(user, case, session)  # built here: the ORM runs in the test's thread

    async def attempt():
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return async_to_sync(attempt)()


def test_a_member_may_follow_the_case(team):
    assert _connects(team["viewer"], team["case"])


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_a_non_member_is_refused_and_joins_no_group(team, who):
    assert not _connects(team[who], team["case"])


def test_an_anonymous_visitor_is_refused(team):
    assert not _connects(AnonymousUser(), team["case"], session={})


def test_a_session_without_the_second_factor_is_refused(team):
    session = _session(team["viewer"])
    del session[DEVICE_ID_SESSION_KEY]
    assert not _connects(team["viewer"], team["case"], session=session)


def test_an_idle_session_is_refused(team):
    session = _session(team["viewer"], **{LAST_SEEN: time.time() - 24 * 3600})
    assert not _connects(team["viewer"], team["case"], session=session)


def test_members_hear_only_ids_when_a_restricted_entry_is_recorded(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as publish:
        entry = services.do_record_entry(
            team["contributor"], team["case"], kind="note", summary="Secret summary", body=SECRET,
            occurred_at=timezone.now(), restricted=True, restricted_to=[team["owner"]],
        )  # fmt: skip

    communicator = _communicator(team["viewer"], team["case"])

    async def scenario():
        connected, _ = await communicator.connect()
        assert connected
        for callback in publish:  # the transaction "commits": the service's announcement goes out
            await database_sync_to_async(callback)()
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message == {"event": "entry.changed", "case": team["case"].pk, "entry": entry.pk}
    assert SECRET not in json.dumps(message) and "Secret summary" not in json.dumps(message)


def test_nothing_is_announced_before_the_transaction_commits(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as publish:
        services.do_record_entry(team["owner"], team["case"], kind="note", summary="Visit", occurred_at=timezone.now())
    # Publishing is registered for after commit, not done inside the transaction.
    assert len(publish) == 1


def test_a_member_on_another_case_hears_nothing_about_this_one(team, django_capture_on_commit_callbacks):
    from tests.factories import CaseFactory

    elsewhere = CaseFactory(owner=team["outsider"])
    with django_capture_on_commit_callbacks() as publish:
        services.do_record_entry(team["owner"], team["case"], kind="note", summary="x", occurred_at=timezone.now())

    communicator = _communicator(team["outsider"], elsewhere)

    async def scenario():
        connected, _ = await communicator.connect()
        assert connected
        for callback in publish:
            await database_sync_to_async(callback)()
        silent = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return silent

    assert async_to_sync(scenario)()
