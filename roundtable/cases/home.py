from roundtable.access import policy
from roundtable.cases.queries import CaseFilters, visible_cases

MY_CASES_ROWS = 5


def panel(request):
    """ "My cases" on the home page: the cases the user is a member of, latest activity first."""
    if not policy.can(request.user, "case.list"):
        return None
    cases = list(visible_cases(request.user, CaseFilters(sort="updated", descending=True))[:MY_CASES_ROWS])
    return {"template": "cases/_home_panel.html", "cases": cases}
