from django.urls import path

from roundtable.panels import views

app_name = "panels"

urlpatterns = [
    path("", views.panel_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settings/", views.edit, name="edit"),
]
