def panel(request):
    """This app's panel on the home page (see roundtable/core/home.py)."""
    return None
