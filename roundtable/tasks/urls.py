from django.urls import path

from roundtable.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.my_tasks, name="mine"),
    path("overdue/", views.overdue, name="overdue"),
    path("case/<int:case_pk>/", views.case_tasks, name="case_tasks"),
    path("case/<int:case_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.update_status, name="update_status"),
]
