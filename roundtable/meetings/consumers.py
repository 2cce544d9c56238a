"""Follow the chair over WebSockets: "the meeting moved to item I", "item I changed".

Joining a meeting's group is an access decision: at connect the consumer checks the user
is signed in (second factor, session limits — the same checks as the live chronology) and
is one of the people of the meeting (``meeting.follow``), and otherwise closes without
joining. Messages on the channel layer carry IDs only.

On each message the consumer sends its browser the new item *as this follower may see
it* (follow.py): the item is rendered once per message in this process for every
follower (``render_shared``), and for each follower the policy decides — again, on every
message — whether they may still follow (otherwise the socket closes) and which view they
get, the read being audited; for those whose view differs from the shared one (the
panel's chair and administrators, readers of a restricted entry shown) the message goes
with the IDs only and their browser fetches the permission-checked fragment
(views_live.py). With REDIS_URL set the group spans every app process."""

import asyncio
import logging
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from roundtable.access import policy
from roundtable.cases.consumers import CLOSE_NOT_ALLOWED, _session_is_live
from roundtable.core.request_context import RequestInfo, reset_request_info, set_request_info
from roundtable.meetings import follow
from roundtable.meetings.live import meeting_group

log = logging.getLogger(__name__)

# The shared views of the last few messages in this process, by the message's token: the
# first follower to handle a message starts the render, the others await the same one.
_SHARED: OrderedDict[str, asyncio.Task] = OrderedDict()
_SHARED_KEPT = 16


@database_sync_to_async
def may_follow(user, session, meeting_id: int) -> bool:
    from roundtable.meetings.models import Meeting

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not _session_is_live(user, session):
        return False
    meeting = policy.visible(user, Meeting.objects.select_related("panel")).filter(pk=meeting_id).first()
    return meeting is not None and policy.can(user, "meeting.follow", meeting)


async def shared_view(event: dict, kind: str) -> follow.SharedView | None:
    """The message's item rendered for the agenda's readers, once per message in this process."""
    token = event.get("token")
    if not token:
        return None
    task = _SHARED.get(token)
    if task is None:
        render = database_sync_to_async(follow.render_shared)
        task = asyncio.ensure_future(render(event["meeting"], event["item"], kind))
        _SHARED[token] = task
        while len(_SHARED) > _SHARED_KEPT:
            _SHARED.popitem(last=False)
    try:
        return await asyncio.shield(task)
    except Exception:  # noqa: BLE001 - the followers fall back to fetching their own view
        log.warning("Could not render meeting %s item %s to share", event.get("meeting"), event.get("item"),
                    exc_info=True)  # fmt: skip
        return None


class MeetingConsumer(AsyncJsonWebsocketConsumer):
    group = None
    meeting_id = None

    async def connect(self):
        meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        if not await may_follow(self.scope.get("user"), self.scope.get("session"), meeting_id):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.meeting_id = meeting_id
        self.group = meeting_group(meeting_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive_json(self, content, **kwargs):
        # One-way: the chair moves through the ordinary (permission-checked) pages and API.
        return

    async def meeting_moved(self, event):
        await self._deliver("meeting.moved", event)

    async def item_changed(self, event):
        await self._deliver("item.changed", event)

    def _request_info(self, event) -> RequestInfo:
        """Who is reading, for the audit events of what this socket delivers."""
        headers = dict(self.scope.get("headers") or [])
        client = self.scope.get("client") or (None,)
        return RequestInfo(
            request_id=f"ws-{event.get('token', '')}",
            ip_address=client[0],
            user_agent=headers.get(b"user-agent", b"").decode("latin-1"),
        )

    async def _deliver(self, kind: str, event: dict):
        if self.group is None:
            return
        shared = await shared_view(event, kind)
        info = self._request_info(event)

        def decide():
            token = set_request_info(info)
            try:
                return follow.deliver(self.scope.get("session"), self.meeting_id, shared)
            finally:
                reset_request_info(token)

        delivery = await database_sync_to_async(decide)()
        if not delivery.allowed:
            # Signed out, or no longer one of the people of the meeting: stop following.
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        message = {"event": kind, "meeting": event["meeting"], "item": event["item"]}
        if delivery.html is not None:
            message["html"] = delivery.html
        await self.send_json(message)
