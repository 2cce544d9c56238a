from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "roundtable.documents"
    label = "documents"
