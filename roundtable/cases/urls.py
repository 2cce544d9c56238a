from django.urls import path

from roundtable.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/chronology/", views.chronology, name="chronology"),
    path("<int:pk>/chronology/new/", views.entry_create, name="entry_create"),
    path("<int:pk>/chronology/<int:entry_pk>/", views.entry_detail, name="entry_detail"),
    path("<int:pk>/chronology/<int:entry_pk>/fragment/", views.entry_fragment, name="entry_fragment"),
    path("<int:pk>/chronology/<int:entry_pk>/amend/", views.entry_amend, name="entry_amend"),
    path("<int:pk>/chronology/<int:entry_pk>/retract/", views.entry_retract, name="entry_retract"),
    path("<int:pk>/chronology/<int:entry_pk>/restrict/", views.entry_restrict, name="entry_restrict"),
    path("<int:pk>/people/", views.members, name="members"),
    path("<int:pk>/people/<int:membership_pk>/role/", views.member_role, name="member_role"),
    path("<int:pk>/people/<int:membership_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/history/", views.history, name="history"),
]
