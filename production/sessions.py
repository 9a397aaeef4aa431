"""What every logged-in request reads first, its session and its user, each
with a query compiled once.

Django builds and compiles both queries on every request, several times
what running them costs (BENCHMARKS.md). The rows, their tables and the
checks are Django's own: sessions stay in the database, so several app
servers share them and logging out on one ends the session on all; the
user is refused when inactive, and the session's password hash is checked
by django.contrib.auth as before.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import router
from django.utils import timezone

from production.models import User
from production.prepared import STAND_IN_ID, STAND_IN_TEXT, Prepared

_SESSION = Prepared(
    lambda key: Session.objects.filter(session_key=key).values_list(
        "session_data", "expire_date"
    ),
    STAND_IN_TEXT,
)

_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER = Prepared(
    lambda pk: User.objects.filter(pk=pk).values_list(*_USER_FIELDS), STAND_IN_ID
)

DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"
USER_BACKEND = "production.sessions.UserBackend"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _SESSION.rows(self.session_key)
        if found and found[0][1] > timezone.now():
            data, expire_date = found[0]
            return Session(
                session_key=self.session_key,
                session_data=data,
                expire_date=expire_date,
            )
        # Unknown or expired, as in Django's store: a new key if one is saved.
        self._session_key = None
        return None

    def load(self):
        data = super().load()
        # Sessions made before UserBackend name Django's backend, which
        # AUTHENTICATION_BACKENDS no longer lists: read them as UserBackend's
        # rather than log everyone out.
        if data.get(BACKEND_SESSION_KEY) == DJANGO_BACKEND:
            data[BACKEND_SESSION_KEY] = USER_BACKEND
        return data


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), with the user of a
    session read by the compiled query."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = _USER.rows(pk)
        if not found:
            return None
        user = User.from_db(router.db_for_read(User), _USER_FIELDS, found[0])
        return user if self.user_can_authenticate(user) else None
