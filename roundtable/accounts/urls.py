from django.urls import path

from roundtable.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/", views.account, name="account"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("admin/users/", views.user_list, name="user_list"),
    path("admin/users/invite/", views.invite_user, name="invite_user"),
    path("admin/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("admin/users/<int:pk>/role/", views.change_role, name="change_role"),
    path("admin/users/<int:pk>/deactivate/", views.deactivate_user, name="deactivate_user"),
    path("admin/users/<int:pk>/reactivate/", views.reactivate_user, name="reactivate_user"),
    path("admin/users/<int:pk>/resend-invitation/", views.resend_invitation, name="resend_invitation"),
    path("admin/organisations/", views.organisation_list, name="organisation_list"),
    path("admin/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
