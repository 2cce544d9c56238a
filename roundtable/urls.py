from django.urls import include, path

from roundtable.api.api import api

urlpatterns = [
    path("", include("roundtable.core.urls")),
    path("", include("roundtable.accounts.urls")),
    path("audit/", include("roundtable.audit.urls")),
    path("account/api-tokens/", include("roundtable.api.urls")),
    path("api/v1/", api.urls),
]
