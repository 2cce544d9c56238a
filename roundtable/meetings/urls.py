from django.urls import path

from roundtable.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_meetings, name="mine"),
    path("panel/<int:panel_pk>/", views.panel_meetings, name="panel_meetings"),
    path("panel/<int:panel_pk>/new/", views.create, name="create"),
    path("panel/<int:panel_pk>/cases/", views.panel_cases, name="panel_cases"),
    path("panel/<int:panel_pk>/visits/", views.visits, name="visits"),
    path("panel/<int:panel_pk>/visits/new/", views.visit_create, name="visit_create"),
    path("panel-cases/<int:pk>/end/", views.panel_case_end, name="panel_case_end"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/meeting.ics", views.calendar, name="calendar"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/agenda/proposed/", views.add_proposed, name="add_proposed"),
    path("<int:pk>/agenda/case/", views.add_case, name="add_case"),
    path("<int:pk>/agenda/other/", views.add_other, name="add_other"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/people/", views.people, name="people"),
    path("<int:pk>/people/<int:invitee_pk>/remove/", views.uninvite, name="uninvite"),
    path("<int:pk>/updates/", views.updates, name="updates"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/apologies/", views.apologies, name="apologies"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("items/<int:pk>/update/", views.add_update, name="add_update"),
    path("actions/<int:pk>/remind/", views.remind, name="remind"),
]
