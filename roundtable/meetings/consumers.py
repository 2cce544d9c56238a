"""Follow the chair over WebSockets: "the meeting moved to item I", "item I changed".

Joining a meeting's group is an access decision: at connect the consumer checks the user
is signed in (second factor, session limits — the same checks as the live chronology) and
is one of the people of the meeting (``meeting.follow``), and otherwise closes without
joining. Messages carry IDs only; the browser fetches the item through the
permission-checked fragment view (views_live.py), so what appears is what that member
may see. With REDIS_URL set the group spans every app process."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from roundtable.access import policy
from roundtable.cases.consumers import CLOSE_NOT_ALLOWED, _session_is_live
from roundtable.meetings.live import meeting_group


@database_sync_to_async
def may_follow(user, session, meeting_id: int) -> bool:
    from roundtable.meetings.models import Meeting

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not _session_is_live(user, session):
        return False
    meeting = policy.visible(user, Meeting.objects.select_related("panel")).filter(pk=meeting_id).first()
    return meeting is not None and policy.can(user, "meeting.follow", meeting)


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        if not await may_follow(self.scope.get("user"), self.scope.get("session"), meeting_id):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = meeting_group(meeting_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # One-way: the chair moves through the ordinary (permission-checked) pages and API.
        return

    async def meeting_moved(self, event):
        await self.send_json({"event": "meeting.moved", "meeting": event["meeting"], "item": event["item"]})

    async def item_changed(self, event):
        await self.send_json({"event": "item.changed", "meeting": event["meeting"], "item": event["item"]})
