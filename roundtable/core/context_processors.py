from django.conf import settings

from roundtable.core.navigation import primary_navigation


def shell(request):
    return {
        "service_name": "Roundtable",
        "primary_navigation": primary_navigation(request),
        "environment": settings.ENVIRONMENT,
    }
