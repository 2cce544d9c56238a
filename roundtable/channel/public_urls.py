"""The public referral page: no sign-in (see views.public_refer)."""

from django.urls import path

from roundtable.channel import views

app_name = "referral"

urlpatterns = [
    path("", views.public_refer, name="refer"),
    path("sent/", views.public_sent, name="sent"),
]
