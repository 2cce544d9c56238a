from django.urls import include, path

from roundtable.api.api import api

urlpatterns = [
    path("", include("roundtable.core.urls")),
    path("", include("roundtable.accounts.urls")),
    path("audit/", include("roundtable.audit.urls")),
    path("account/api-tokens/", include("roundtable.api.urls")),
    path("people/", include("roundtable.people.urls")),
    path("cases/", include("roundtable.cases.urls")),
    path("cases/", include("roundtable.casesummary.urls")),
    path("tasks/", include("roundtable.tasks.urls")),
    path("documents/", include("roundtable.documents.urls")),
    path("notices/", include("roundtable.notifications.urls")),
    path("forms/", include("roundtable.formbuilder.urls")),
    path("support/", include("roundtable.support.urls")),
    path("assessments/", include("roundtable.assessments.urls")),
    path("information-requests/", include("roundtable.inforequests.urls")),
    path("refer/", include("roundtable.channel.public_urls")),
    path("channel/", include("roundtable.channel.urls")),
    path("panels/", include("roundtable.panels.urls")),
    path("meetings/", include("roundtable.meetings.urls")),
    path("api/v1/", api.urls),
]
