"""Live chronology over WebSockets: "entry N changed on case M", nothing more.

Joining a case's group is itself an access decision: at connect the consumer checks the
user is signed in (with the second factor, within the session limits) and may see the
case, and otherwise closes without joining. Messages carry IDs only; the browser fetches
the entry through the permission-checked fragment view."""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from roundtable.access import policy
from roundtable.cases.live import case_group

# WebSocket close code for "policy violation": the browser stops retrying on it.
CLOSE_NOT_ALLOWED = 4403


def _session_is_live(user, session) -> bool:
    """The same conditions the HTTP middleware applies: second factor, idle and absolute limits."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

    if session is None:
        return False
    now = time.time()
    if now - session.get(SIGNED_IN_AT, 0) > settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600:
        return False
    if now - session.get(LAST_SEEN, 0) > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return False
    if not settings.REQUIRE_2FA:
        return True
    device = Device.from_persistent_id(session.get(DEVICE_ID_SESSION_KEY) or "")
    return device is not None and device.user_id == user.pk and device.confirmed


@database_sync_to_async
def may_follow(user, session, case_id: int) -> bool:
    from roundtable.cases.models import Case

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not _session_is_live(user, session):
        return False
    return policy.visible(user, Case.objects.filter(pk=case_id)).exists()


class ChronologyConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        if not await may_follow(self.scope.get("user"), self.scope.get("session"), case_id):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = case_group(case_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The socket is one-way: browsers change things through the ordinary pages.
        return

    async def entry_changed(self, event):
        await self.send_json({"event": "entry.changed", "case": event["case"], "entry": event["entry"]})
