"""The REST API at /api/v1/. Every route authenticates with a personal token and reads
through the access policy, exactly as the pages do."""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from roundtable.api.auth import PersonalTokenAuth
from roundtable.api.schemas import ErrorOut, MeOut
from roundtable.assessments.api import router as assessments_router
from roundtable.cases.api import router as cases_router
from roundtable.casesummary.api import router as casesummary_router
from roundtable.channel.api import router as channel_router
from roundtable.documents.api import router as documents_router
from roundtable.formbuilder.api import router as formbuilder_router
from roundtable.inforequests.api import router as inforequests_router
from roundtable.meetings.api import router as meetings_router
from roundtable.meetings.api_live import router as meetings_live_router
from roundtable.notifications.api import router as notifications_router
from roundtable.people.api import router as people_router
from roundtable.support.api import router as support_router
from roundtable.tasks.api import router as tasks_router

api = NinjaAPI(
    title="Roundtable API",
    version="1",
    description="Multi-agency safeguarding case management. Authenticate with a personal API token: "
    "`Authorization: Bearer rt_…`. Tokens carry their owner's permissions; every call is audited.",
    auth=PersonalTokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    message = getattr(exc, "message", "Authentication required.")
    return api.create_response(request, {"detail": message}, status=401)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": "The request is not valid.", "errors": exc.errors}, status=422)


@api.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["accounts"], summary="The user behind the token")
def me(request):
    user = request.auth
    organisation = user.organisation
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            "sector": organisation.sector,
            "area": organisation.area.name,
        },
    }


api.add_router("/people", people_router)
api.add_router("/cases", cases_router)
api.add_router("/tasks", tasks_router)
api.add_router("/documents", documents_router)
api.add_router("/forms", formbuilder_router)
api.add_router("/notices", notifications_router)
api.add_router("/assessments", assessments_router)
api.add_router("/support", support_router)
api.add_router("/information-requests", inforequests_router)
api.add_router("/channel", channel_router)
api.add_router("/cases", casesummary_router)  # GET /cases/{id}/summary.pdf
api.add_router("/meetings", meetings_router)
api.add_router("/meetings", meetings_live_router)  # the live meeting and minutes
