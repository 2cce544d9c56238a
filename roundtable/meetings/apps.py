from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "roundtable.meetings"
    label = "meetings"
    verbose_name = "Panel meetings"
