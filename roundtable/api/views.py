from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from roundtable.access import policy
from roundtable.api import services
from roundtable.api.forms import TokenForm
from roundtable.api.models import ApiToken


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = services.do_create_token(
            request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"] or None
        )
        form = TokenForm()
    tokens = policy.visible(request.user, ApiToken.objects.all())
    context = {"form": form, "tokens": tokens, "new_token": new_token, "now": timezone.now()}
    return render(request, "api/token_list.html", context)


@require_POST
def token_revoke(request, pk):
    token = policy.get_visible_or_404(request.user, ApiToken.objects.all(), pk=pk)
    services.do_revoke_token(request.user, token)
    messages.success(request, f"The token '{token.name}' is revoked. Anything using it will stop working.")
    return redirect("api_tokens:list")
