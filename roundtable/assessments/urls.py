from django.urls import path

from roundtable.assessments import views

app_name = "assessments"

urlpatterns = [
    path("case/<int:case_pk>/", views.case_assessments, name="case_assessments"),
    path("case/<int:case_pk>/new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("factors/", views.factor_areas, name="factor_areas"),
    path("factors/area/<int:area_pk>/", views.factors, name="factors"),
    path("factors/area/<int:area_pk>/new/", views.factor_add, name="factor_add"),
    path("factors/<int:pk>/edit/", views.factor_edit, name="factor_edit"),
    path("factors/<int:pk>/retire/", views.factor_retire, name="factor_retire"),
    path("factors/<int:pk>/restore/", views.factor_restore, name="factor_restore"),
    path("factors/<int:pk>/move/", views.factor_move, name="factor_move"),
]
