from django.urls import path

from roundtable.support import views

app_name = "support"

urlpatterns = [
    path("case/<int:case_pk>/", views.case_support, name="case_support"),
    path("case/<int:case_pk>/consent/", views.record_consent, name="record_consent"),
    path("case/<int:case_pk>/interventions/new/", views.create_intervention, name="create_intervention"),
    path("interventions/<int:pk>/", views.intervention, name="intervention"),
    path("interventions/<int:pk>/edit/", views.edit_intervention, name="edit_intervention"),
    path("interventions/<int:pk>/status/", views.intervention_status, name="intervention_status"),
    path("interventions/<int:pk>/progress/", views.add_progress, name="add_progress"),
    path("providers/", views.providers, name="providers"),
    path("providers/new/", views.create_provider, name="create_provider"),
    path("providers/<int:pk>/edit/", views.edit_provider, name="edit_provider"),
]
