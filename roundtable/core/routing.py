"""WebSocket routes. Each app that publishes live updates adds its consumers here."""

from django.urls import path

from roundtable.cases.consumers import ChronologyConsumer

websocket_urlpatterns: list = [
    path("ws/cases/<int:case_id>/", ChronologyConsumer.as_asgi()),
]
