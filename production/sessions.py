"""What every logged-in request reads first, its session and its user, each
with a query compiled once.

Django builds and compiles both queries on every request, several times
what running them costs (BENCHMARKS.md). The rows, their tables and the
checks are Django's own: sessions stay in the database, so several app
servers share them and logging out on one ends the session on all; the
user is refused when inactive, and the session's password hash is checked
by django.contrib.auth as before.

On PostgreSQL each query is also a round trip to the server, worth more than
the query: the session and its user are read in one where this process has
seen the session before and so knows whose it is (a guess, checked against
the session's data once decoded; a wrong or missing guess costs the user's
own query, as before). So is what a poll's view reads first, its markers
(middleware.py, rows_for_user): a poll is one round trip.
"""

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
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

# Whose each session seen by this process is: session key -> user id. Only a
# guess to read the user beside the session; emptied when it grows large.
_OWNERS: dict[str, object] = {}
_KEPT = 10_000

# Sessions decoded by this process: their stored text -> their data.
_DECODED: dict[str, dict] = {}
_PLAIN = {str, int, float, bool, type(None)}

# The user read beside the session of the request being authenticated, as
# (user id, row or None), for UserBackend.get_user (see get_user below).
_READ_BESIDE: ContextVar[tuple | None] = ContextVar("read_beside", default=None)


def _user_pk(user_id):
    try:
        return User._meta.pk.to_python(user_id)
    except ValidationError:
        return None


class SessionStore(db.SessionStore):
    # (user id, the user's row or None): read with the session, if guessed.
    user_read = None
    # What the view asks to read with the session: (query, values) pairs,
    # each query's first value the user's id (middleware.py puts it here).
    riders: tuple = ()
    # {(query, values): rows} of the riders, read for the guessed owner.
    riders_read: dict | None = None

    def _get_session_from_db(self):
        found = self._read()
        if found is None:
            return None
        data, expire_date = found
        return Session(
            session_key=self.session_key, session_data=data, expire_date=expire_date
        )

    def _read(self) -> tuple | None:
        """The session's (data, expiry date) if it is alive, with its user and
        the view's riders where this process guesses whose it is."""
        owner = _OWNERS.get(self.session_key)
        riders = [(query, (owner, *values)) for query, values in self.riders]
        found = (
            None
            if owner is None
            else _SESSION.rows_beside((self.session_key,), (_USER, (owner,)), *riders)
        )
        if found is None:
            found = [(row,) for row in _SESSION.rows(self.session_key)]
        elif found:
            self.user_read = (owner, found[0][1])
            self.riders_read = {
                (query, values[1:]): [] if row is None else [row]
                for (query, values), row in zip(riders, found[0][2:], strict=True)
            }
        if found and found[0][0][1] > timezone.now():
            return found[0][0]
        # Unknown or expired, as in Django's store: a new key if one is saved.
        self._session_key = None
        self.user_read = self.riders_read = None
        return None

    def load(self):
        # Django's, without the Session instance it makes only to read it.
        found = self._read()
        data = self.decode(found[0]) if found else {}
        # Sessions made before UserBackend name Django's backend, which
        # AUTHENTICATION_BACKENDS no longer lists: read them as UserBackend's
        # rather than log everyone out.
        if data.get(BACKEND_SESSION_KEY) == DJANGO_BACKEND:
            data[BACKEND_SESSION_KEY] = USER_BACKEND
        self._remember_owner(data)
        return data

    def decode(self, session_data):
        # Checking the data's signature and reading its JSON cost a poll more
        # than its query: the same text decodes the same, so a session of
        # plain values (auth's ids and hash) is decoded once per process,
        # and each request gets a copy of its own.
        kept = _DECODED.get(session_data)
        if kept is not None:
            return dict(kept)
        data = super().decode(session_data)
        if data and all(type(value) in _PLAIN for value in data.values()):
            if len(_DECODED) >= _KEPT:
                _DECODED.clear()
            _DECODED[session_data] = dict(data)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        # After a login the next request is read in one query too.
        self._remember_owner(getattr(self, "_session_cache", {}))

    def read_beside(self) -> tuple | None:
        """(user id, the user's row or None) if the session's query read the
        user too; the session is loaded first."""
        self._get_session()
        return self.user_read

    def _remember_owner(self, data) -> None:
        owner = _user_pk(data.get(SESSION_KEY))
        if owner is None or self.session_key is None:
            return
        if len(_OWNERS) >= _KEPT:
            _OWNERS.clear()
        _OWNERS[self.session_key] = owner


def get_user(request):
    """django.contrib.auth's get_user (its backend and password-change
    checks), given the user the session's query read beside it."""
    session = request.session
    read = session.read_beside() if isinstance(session, SessionStore) else None
    token = _READ_BESIDE.set(read)
    try:
        return auth.get_user(request)
    finally:
        _READ_BESIDE.reset(token)


def rows_for_user(request, query: Prepared, *values) -> list[tuple]:
    """`query`'s rows for the request's user and `values`: read with the
    session where the view asked for them (middleware.py) and the session's
    owner was guessed right, else now."""
    session = getattr(request, "session", None)
    read = getattr(session, "user_read", None)
    if read is not None and read[0] == request.user.pk and session.riders_read:
        rows = session.riders_read.get((query, values))
        if rows is not None:
            return rows
    return query.rows(request.user.pk, *values)


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), with the user of a
    session read by the compiled query, or beside the session."""

    def get_user(self, user_id):
        pk = _user_pk(user_id)
        if pk is None:
            return None
        read = _READ_BESIDE.get()
        if read is not None and read[0] == pk:
            row = read[1]
        else:
            found = _USER.rows(pk)
            row = found[0] if found else None
        if row is None:
            return None
        user = User.from_db(router.db_for_read(User), _USER_FIELDS, row)
        return user if self.user_can_authenticate(user) else None
