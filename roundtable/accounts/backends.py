"""How the signed-in user is loaded on every request.

Django's ModelBackend loads the user with one query; every page then asks the navigation
who the user is to the panels (is this a police Prevent officer?) and which organisation
they belong to. Loading those facts with the user keeps every page one query shorter per
fact, which the query-count tests hold us to."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, Q

from roundtable.accounts.models import User

PATH = "roundtable.accounts.backends.UserBackend"


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        from roundtable.panels.models import Panel

        prevent_panels = Panel.objects.filter(Q(police_lead_id=OuterRef("pk")) | Q(prevent_team=OuterRef("pk")))
        user = (
            User._default_manager.select_related("organisation")
            .annotate(_is_prevent_officer=Exists(prevent_panels))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
