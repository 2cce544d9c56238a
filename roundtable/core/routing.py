"""WebSocket routes. Each app that publishes live updates adds its consumers here."""

websocket_urlpatterns: list = []
