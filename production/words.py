"""One word for each thing the pages name, whichever template shows it.

Django's templates read these as `words` (the context processor below),
the Jinja2 templates as a global (production/jinja_env.py), Python as
WORDS: a booking or an empty assignee reads the same on the board, the
calendar and the task page.
"""

WORDS = {
    "unassigned": "Unassigned",
    "guest_not_named": "Guest not named yet",
    "clashes_with": "Clashes with",
    # A booking's "Confirmed" term, answered (a card's badge says it whole).
    "confirmed": "Yes",
    "not_confirmed": "Not yet",
}


def words(request) -> dict:
    return {"words": WORDS}
