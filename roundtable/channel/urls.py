from django.urls import path

from roundtable.channel import views

app_name = "channel"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("refer/", views.refer, name="refer"),
    path("case/<int:case_pk>/", views.case, name="case"),
    path("case/<int:case_pk>/referral/", views.referral, name="referral"),
    path("case/<int:case_pk>/step/<slug:step>/", views.step, name="step"),
    path("case/<int:case_pk>/do/<slug:name>/", views.transition, name="transition"),
]
