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
from roundtable.core.request_context import RequestInfo
from roundtable.meetings import follow
from roundtable.meetings.live import meeting_group

log = logging.getLogger(__name__)

# The messages this process is delivering, by the message's token (the last few kept).
_ROUNDS: OrderedDict[str, "_Round"] = OrderedDict()
_ROUNDS_KEPT = 16


class _Round:
    """One message delivered to every follower of this process: the item is rendered once;
    the followers whose sockets hand it in meanwhile are decided on together, in one call
    into the database (follow.deliver_all); latecomers make the next batch."""

    def __init__(self, event: dict, kind: str):
        self.meeting_id, self.item_id, self.kind = event["meeting"], event["item"], kind
        self.waiting: list[tuple[follow.Follower, asyncio.Future]] = []
        self.task: asyncio.Task | None = None
        self.rendered = False
        self.shared: follow.SharedView | None = None

    def join(self, follower: follow.Follower) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((follower, future))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())
        return future

    async def _shared(self) -> follow.SharedView | None:
        if not self.rendered:
            render = database_sync_to_async(follow.render_shared)
            try:
                self.shared = await render(self.meeting_id, self.item_id, self.kind)
            except Exception:  # noqa: BLE001 - the followers fall back to fetching their own view
                log.warning("Could not render meeting %s item %s to share", self.meeting_id, self.item_id,
                            exc_info=True)  # fmt: skip
                self.shared = None
            self.rendered = True
        return self.shared

    async def _run(self):
        shared = await self._shared()
        while self.waiting:
            batch, self.waiting = self.waiting, []
            followers = [follower for follower, _ in batch]
            try:
                deliveries = await database_sync_to_async(follow.deliver_all)(self.meeting_id, shared, followers)
            except Exception:  # noqa: BLE001 - IDs only: each browser's fetch asks the policy itself
                log.warning("Could not decide what to send for meeting %s", self.meeting_id, exc_info=True)
                deliveries = [follow.Delivery()] * len(batch)
            for (_, future), delivery in zip(batch, deliveries, strict=True):
                if not future.done():
                    future.set_result(delivery)


def _round(event: dict, kind: str) -> "_Round":
    token = event.get("token") or ""
    current = _ROUNDS.get(token) if token else None
    if current is None:
        current = _Round(event, kind)
        if token:
            _ROUNDS[token] = current
            while len(_ROUNDS) > _ROUNDS_KEPT:
                _ROUNDS.popitem(last=False)
    return current


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
        follower = follow.Follower(session=self.scope.get("session"), request_info=self._request_info(event))
        delivery = await _round(event, kind).join(follower)
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
