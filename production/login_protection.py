"""How django-axes names a login attempt."""


def axes_username(request, credentials=None):
    """The username tried, cut to the 255 characters django-axes stores.

    A longer one (a scanner's) would fail the insert on PostgreSQL with a 500
    (jazzband/django-axes#1381); cut, it is simply a failed login.
    """
    if credentials:
        username = credentials.get("username")
    elif request is not None:
        username = request.POST.get("username")
    else:
        username = None
    return username[:255] if isinstance(username, str) else username
