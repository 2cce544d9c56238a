"""A panel meeting to run live: the cast and the agenda the live meeting, minutes and audio
tests share (imported as fixtures by those tests only).

A Behaviour Support – secondary panel in Northshire: Chloe Chair chairs it, Adam Admin
administers it, Mina Member and Nico Newcomer are standing members. Two cases: the
"school" case (Adam Admin and Mina Member are contributors) and the "family" case (only
its owner and the chair). The meeting's agenda (published) has the school case, the family
case and an item of other business, in that order. Otto Outsider is not on the panel."""

import time
from importlib import import_module

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.accounts.backends import PATH as USER_BACKEND
from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from roundtable.accounts.models import Role
from roundtable.core.routing import websocket_urlpatterns
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.meetings.factories import BehaviourPanelFactory, ItemFactory, MeetingFactory, publish


@pytest.fixture
def room(area, organisation, other_organisation):
    school = OrganisationFactory(name="Northshire Academy", area=area, sector="education")
    chair = UserFactory(organisation=organisation, full_name="Chloe Chair", role=Role.PANEL_CHAIR)
    admin = UserFactory(organisation=organisation, full_name="Adam Admin", role=Role.PANEL_ADMIN)
    member = UserFactory(organisation=school, full_name="Mina Member")
    newcomer = UserFactory(organisation=school, full_name="Nico Newcomer")
    owner = UserFactory(organisation=organisation, full_name="Olga Owner")
    panel = BehaviourPanelFactory(
        area=area, name="Northshire Behaviour Panel", chair=chair, administrators=[admin], members=[member, newcomer]
    )
    school_case = CaseFactory(owner=owner, members=[admin, member, chair], area=area, title="School case")
    family_case = CaseFactory(owner=owner, members=[chair], area=area, title="Family case")
    meeting = MeetingFactory(panel=panel)
    items = [
        ItemFactory(meeting=meeting, case=school_case, position=1, added_by=chair),
        ItemFactory(meeting=meeting, case=family_case, position=2, added_by=chair),
        ItemFactory(meeting=meeting, case=None, kind="other_business", title="Training dates", position=3,
                    added_by=chair),
    ]  # fmt: skip
    publish(meeting)
    return {
        "panel": panel,
        "meeting": meeting,
        "items": items,
        "school_case": school_case,
        "family_case": family_case,
        "chair": chair,
        "admin": admin,
        "member": member,
        "newcomer": newcomer,
        "owner": owner,
        "outsider": UserFactory(organisation=other_organisation, full_name="Otto Outsider"),
    }


# --- Following over the socket ----------------------------------------------------------------
application = URLRouter(websocket_urlpatterns)


def signed_in_session(user):
    """A stored session signed in with the second factor, as the two-step sign-in leaves it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = USER_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    store[SIGNED_IN_AT] = store[LAST_SEEN] = time.time()
    store.create()
    return store


def communicator(user, meeting, session=None) -> WebsocketCommunicator:
    """A browser's socket on the meeting (the scope as channels' auth middleware fills it)."""
    socket = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/")
    socket.scope["user"] = user
    if session is None:
        session = signed_in_session(user) if user.is_authenticated else {}
    socket.scope["session"] = session
    return socket
