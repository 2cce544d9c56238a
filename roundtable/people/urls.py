from django.urls import path

from roundtable.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("request-access/", views.request_access, name="request_access"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/names/add/", views.name_add, name="name_add"),
    path("<int:pk>/names/<int:name_pk>/remove/", views.name_remove, name="name_remove"),
    path("<int:pk>/addresses/", views.addresses, name="addresses"),
    path("<int:pk>/addresses/<int:address_pk>/", views.address_edit, name="address_edit"),
    path("<int:pk>/family/", views.family, name="family"),
    path("<int:pk>/family/<int:link_pk>/remove/", views.relationship_remove, name="relationship_remove"),
    path("<int:pk>/flags/", views.flags, name="flags"),
    path("<int:pk>/flags/<int:flag_pk>/end/", views.flag_end, name="flag_end"),
    path("<int:pk>/agencies/", views.agencies, name="agencies"),
    path("<int:pk>/agencies/<int:involvement_pk>/", views.involvement_edit, name="involvement_edit"),
    path("<int:pk>/cases/", views.cases, name="cases"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/merge/", views.merge, name="merge"),
]
