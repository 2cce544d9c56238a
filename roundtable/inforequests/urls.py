from django.urls import path

from roundtable.inforequests import views

app_name = "inforequests"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("case/<int:case_pk>/", views.case_requests, name="case_requests"),
    path("case/<int:case_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("recipients/<int:pk>/answer/", views.answer, name="answer"),
    path("recipients/<int:pk>/share/", views.share, name="share"),
    path("recipients/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
