from django.urls import path

from roundtable.documents import views

app_name = "documents"

urlpatterns = [
    path("case/<int:case_pk>/", views.case_documents, name="case_documents"),
    path("case/<int:case_pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/play/", views.play, name="play"),
    path("<int:pk>/access/", views.change_access, name="change_access"),
]
