from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "roundtable.tasks"
    label = "tasks"
