"""Request bodies for API operations that check access before they read the body.

ninja validates a declared body before the handler runs, which would tell a caller who may
not see an object whether their body was valid: a leak of existence by a 422 versus 404.
Operations that must answer 404 first declare the body in the OpenAPI schema only
(``openapi_extra=json_body(Schema)``) and parse it with ``parse_body`` after the checks."""

import json
from typing import get_origin

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError


def parse_body(request, schema: type[Schema]):
    """The validated body (JSON, or form-encoded for HTML clients and tests), or 422 naming each problem."""
    try:
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raw = {}
            for key in request.POST:
                field = schema.model_fields.get(key)
                many = field is not None and get_origin(field.annotation) is list
                raw[key] = request.POST.getlist(key) if many else request.POST[key]
        else:
            raw = json.loads(request.body or b"{}")
    except ValueError:
        raise NinjaValidationError([{"loc": ["body"], "msg": "The body is not valid JSON."}]) from None
    if not isinstance(raw, dict):
        raise NinjaValidationError([{"loc": ["body"], "msg": "The body must be a JSON object."}])
    try:
        return schema.model_validate(raw)
    except PydanticValidationError as error:
        errors = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        raise NinjaValidationError(errors) from None


def json_body(schema: type[Schema]) -> dict:
    """OpenAPI description of a JSON body parsed by ``parse_body``."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema.model_json_schema()}}}}


def unprocessable(error: DjangoValidationError) -> NinjaValidationError:
    """A service's ValidationError as the API's 422, field by field."""
    if hasattr(error, "error_dict"):
        items = [(field, message) for field, messages in error.message_dict.items() for message in messages]
    else:
        items = [("__all__", message) for message in error.messages]
    return NinjaValidationError([{"loc": ["body", field], "msg": message} for field, message in items])
