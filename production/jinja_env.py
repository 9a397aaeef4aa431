"""The environment of Slate's Jinja2 templates (templates/jinja2/).

Django's Jinja2 backend renders the partials hot enough that the template
language costs too much per item (the board's cards); markupsafe escapes
every value. Only what those templates need is added to Jinja2's own.
"""

from django.utils.dateformat import format as date_format
from jinja2 import Environment

from production.words import WORDS


def environment(**options) -> Environment:
    # Django's backend asks for autoescaping too; every template relies on it.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    # Django's date filter, by its format strings ("D j M, H:i").
    env.filters["date"] = date_format
    env.globals["words"] = WORDS
    return env
