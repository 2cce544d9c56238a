from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "roundtable.channel"
    label = "channel"
