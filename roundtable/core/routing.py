"""WebSocket routes. Each app that publishes live updates adds its consumers here."""

from django.urls import path

from roundtable.cases.consumers import ChronologyConsumer
from roundtable.meetings.consumers import MeetingConsumer

websocket_urlpatterns: list = [
    path("ws/cases/<int:case_id>/", ChronologyConsumer.as_asgi()),
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi()),
]
