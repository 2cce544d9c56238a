from django.apps import AppConfig


class InformationRequestsConfig(AppConfig):
    name = "roundtable.inforequests"
    label = "inforequests"
    verbose_name = "Information requests"
