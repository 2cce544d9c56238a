import pytest


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Each test stores files in its own temporary directory."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location
