from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from roundtable.api.services import TokenProblem, authenticate_token
from roundtable.audit.services import record


class TokenAuthenticationError(AuthenticationError):
    def __init__(self, message: str):
        super().__init__(401, message)
        self.message = message


class PersonalTokenAuth(HttpBearer):
    """Bearer token auth. Every authenticated call is an audit event (method, path, token)."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if not header:
            raise TokenAuthenticationError("Send your API token in the header 'Authorization: Bearer <token>'.")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise TokenAuthenticationError("The Authorization header must be 'Bearer <token>'.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        try:
            api_token = authenticate_token(token)
        except TokenProblem as problem:
            record(None, "api.auth_failed", actor_label="api", problem=str(problem), path=request.path)
            raise TokenAuthenticationError(str(problem)) from None
        request.user = api_token.user
        request.api_token = api_token
        record(api_token.user, "api.call", api_token, method=request.method, path=request.path)
        return api_token.user
