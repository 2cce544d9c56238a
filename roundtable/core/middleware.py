import uuid

from roundtable.core.request_context import RequestInfo, reset_request_info, set_request_info


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and records who is asking."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4().hex
        token = set_request_info(
            RequestInfo(
                request_id=request.id,
                ip_address=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_info(token)
        response["X-Request-ID"] = request.id
        return response
