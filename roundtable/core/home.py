"""Panels on the home page. Each app contributes one: a function(request) returning
{"template": ..., **context} or None when it has nothing for this user."""

from importlib import import_module

HOME_PANELS = [
    "roundtable.tasks.home.panel",
    "roundtable.cases.home.panel",
    "roundtable.channel.home.panel",
    "roundtable.inforequests.home.panel",
]


def home_panels(request) -> list[dict]:
    panels = []
    for dotted in HOME_PANELS:
        module_name, _, function_name = dotted.rpartition(".")
        panel = getattr(import_module(module_name), function_name)(request)
        if panel:
            panels.append(panel)
    return panels
