"""A small load generator: logged-in crowds over keep-alive HTTP, bounded.

Pure Python (threads and http.client) so that the benchmark needs nothing
beyond the venv. Each virtual user logs in through the real login form,
keeps its session and CSRF cookies, and repeats its part until the phase's
time or request budget runs out. Only loopback addresses are accepted.
"""

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.bench.figures import percentile

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Refusals the workflow makes by design when two people race for a task.
REFUSALS = (403, 409)


class LoginFailed(Exception):
    pass


class BudgetSpent(Exception):
    """The phase's time or request budget is used up: the user stops."""


class Session:
    """One browser's worth of state: a keep-alive connection and cookies."""

    def __init__(self, host: str, port: int):
        if host not in LOOPBACK:
            raise ValueError("The load run only targets this machine's loopback.")
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def _connect(self):
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        """(status, body, headers) of one request; reconnects once for a GET."""
        body = urlencode(form) if form is not None else None
        sent = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "gzip"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        sent.update(headers or {})
        for attempt in (1, 2):
            if self.connection is None:
                self._connect()
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, TimeoutError):
                # gunicorn closes idle keep-alive connections; a GET may retry
                # once on a fresh one, a POST may not (it could apply twice).
                self.connection.close()
                self.connection = None
                if method != "GET" or attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, data, response.headers

    def login(self, username: str, password: str) -> None:
        """Log in through the login form, as a person would."""
        self.request("GET", "/accounts/login/")
        status, _, headers = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise LoginFailed(f"{username} could not log in (HTTP {status}).")

    def close(self):
        if self.connection is not None:
            self.connection.close()
        self.connection = None


@dataclass
class Sample:
    label: str
    status: int  # 0: no answer (connection error)
    ms: float


@dataclass
class Budget:
    """A phase's bounds: stop at `seconds` or after `requests`, whichever first."""

    seconds: float
    requests: int
    _used: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, deadline: float) -> bool:
        if time.monotonic() >= deadline:
            return False
        with self._lock:
            if self._used >= self.requests:
                return False
            self._used += 1
            return True


class VirtualUser:
    """A person in the crowd; `act` makes one visit of one or two requests."""

    def __init__(self, session: Session, rng: random.Random):
        self.session = session
        self.rng = rng

    def act(self, send) -> None:
        raise NotImplementedError


class Reader(VirtualUser):
    """Reads one URL again and again (the minimal view, the board alone)."""

    def __init__(self, session, rng, label: str, url: str):
        super().__init__(session, rng)
        self.label, self.url = label, url

    def act(self, send):
        send(self.label, "GET", self.url)


@dataclass
class Pools:
    """Task keys split so that no two virtual users ever race for one."""

    reading: list[str]
    start: list[str] = field(default_factory=list)
    submit: list[str] = field(default_factory=list)
    approve: list[str] = field(default_factory=list)


MOVE_URL = "/tasks/{key}/move/"
COMMENT_URL = "/tasks/{key}/comments/"
# The fields the task page's forms post (templates/jinja2/production/_task_moves.html
# and the comment form), sent the way htmx sends them from the page.
MOVE_FIELD = "to"
COMMENT_FIELD = "body"
HTMX = {"HX-Request": "true"}
BELL_URL = "/notifications/bell/"
POLLS = ("board poll", "my work poll")
FRAGMENTS = ("board more", "bell")


class CrewMember(VirtualUser):
    """An AP or a producer going about the day: reading, moving, commenting."""

    def __init__(
        self,
        session,
        rng,
        *,
        producer: bool,
        pools: Pools,
        project: str,
        episode_url: str | None = None,
    ):
        super().__init__(session, rng)
        self.producer = producer
        self.pools = pools
        self.project = project
        board = f"/projects/{project}/"
        reads = [
            ("my work", "/", 15),
            ("board", board, 20 if producer else 15),
            # The board's "Show more" link, as htmx asks for it.
            ("board more", f"{board}more/?status=todo&page=2", 5),
            ("task list", f"/projects/{project}/tasks/", 10 if producer else 5),
            ("task", None, 15 if producer else 20),
            ("calendar", f"/projects/{project}/calendar/", 5),
            ("my calendar", "/calendar/", 5),
            ("notifications", "/notifications/", 5),
            # What open pages ask every few seconds (views/live.py): the bell,
            # and the board and my work with the ETag of their last answer,
            # a 304 unless the crowd changed something since.
            ("bell", BELL_URL, 10),
            ("board poll", board, 10),
            ("my work poll", "/", 5),
        ]
        if episode_url:
            reads.append(("episode", episode_url, 5))
        writes = [("comment", None, 10), ("move", None, 15)]
        self.choices = reads + writes
        self.etags: dict[str, str] = {}

    def _task(self) -> str:
        return self.rng.choice(self.pools.reading)

    def _move(self, send) -> bool:
        """One step of this person's own work, if any is left to do."""
        if self.producer:
            steps = [("approve", self.pools.approve, "done")]
        else:
            steps = [
                ("start", self.pools.start, "in_progress"),
                ("submit", self.pools.submit, "review"),
            ]
        steps = [step for step in steps if step[1]]
        if not steps:
            return False
        label, pool, target = self.rng.choice(steps)
        key = pool.pop()
        if label == "start":
            self.pools.submit.insert(0, key)  # submit it later, once started
        send("task", "GET", f"/tasks/{key}/")
        send(label, "POST", MOVE_URL.format(key=key), {MOVE_FIELD: target}, HTMX)
        return True

    def act(self, send):
        label, url, _ = self.rng.choices(
            self.choices, weights=[weight for *_, weight in self.choices]
        )[0]
        if label == "move" and self._move(send):
            return
        if label == "comment":
            key = self._task()
            send("task", "GET", f"/tasks/{key}/")
            body = f"Load-run note {self.rng.randrange(10**6)}: checked, looks fine."
            send(
                "comment",
                "POST",
                COMMENT_URL.format(key=key),
                {COMMENT_FIELD: body},
                HTMX,
            )
            return
        if label in POLLS:
            self._poll(send, label, url)
            return
        if url is None or label == "move":
            label, url = "task", f"/tasks/{self._task()}/"
        send(label, "GET", url, None, HTMX if label in FRAGMENTS else None)

    def _poll(self, send, label: str, url: str) -> None:
        """A live region's poll, as static/slate/live.js sends it."""
        headers = dict(HTMX)
        if url in self.etags:
            headers["If-None-Match"] = self.etags[url]
        _, answer = send(label, "GET", url, None, headers)
        if etag := answer.get("ETag"):
            self.etags[url] = etag


@dataclass
class PhaseResult:
    name: str
    seconds: float
    samples: list[Sample]
    failures: list[str]

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(
            1
            for sample in self.samples
            if sample.status == 0
            or sample.status >= 500
            or (sample.status >= 400 and sample.status not in REFUSALS)
        )

    @property
    def refusals(self) -> int:
        return sum(1 for sample in self.samples if sample.status in REFUSALS)

    def latency(self, share: float, label: str | None = None) -> float:
        times = [s.ms for s in self.samples if label is None or s.label == label]
        return percentile(times, share) if times else 0.0

    def by_label(self) -> dict[str, int]:
        counts = {}
        for sample in self.samples:
            # A poll answered "unchanged" counts apart from one that was not.
            label = sample.label + (" 304" if sample.status == 304 else "")
            counts[label] = counts.get(label, 0) + 1
        return counts

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.latency(0.50), 1),
            "p95_ms": round(self.latency(0.95), 1),
            "p99_ms": round(self.latency(0.99), 1),
            "errors": self.errors,
            "refusals": self.refusals,
            "by_label": self.by_label(),
            "failures": self.failures[:10],
        }


def merged(name: str, results: list[PhaseResult]) -> PhaseResult:
    """Slices of one phase run in turns with another, as one phase."""
    return PhaseResult(
        name,
        sum(result.seconds for result in results),
        [sample for result in results for sample in result.samples],
        [failure for result in results for failure in result.failures],
    )


def run_phase(name: str, users: list[VirtualUser], budget: Budget) -> PhaseResult:
    """Let every virtual user act, in its own thread, until the budget is spent."""
    deadline = time.monotonic() + budget.seconds
    samples: list[list[Sample]] = [[] for _ in users]
    failures: list[str] = []

    def work(index: int, user: VirtualUser):
        mine = samples[index]

        def send(label, method, url, form=None, headers=None):
            """(status, response headers) of one request; 0 and {} if none came."""
            if not budget.take(deadline):
                raise BudgetSpent
            start = time.perf_counter()
            try:
                status, body, answer = user.session.request(method, url, form, headers)
            except (OSError, http.client.HTTPException) as error:
                status, body, answer = 0, str(error).encode(), {}
            mine.append(Sample(label, status, (time.perf_counter() - start) * 1000))
            if status == 0 or status >= 400:
                failures.append(f"{method} {url} -> {status or body.decode()[:80]}")
            return status, answer

        try:
            while True:
                user.act(send)
        except BudgetSpent:
            pass

    threads = [
        threading.Thread(target=work, args=(i, user), daemon=True)
        for i, user in enumerate(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(budget.seconds + 120)
    elapsed = time.perf_counter() - started
    return PhaseResult(name, elapsed, [s for mine in samples for s in mine], failures)


def spread(users: list[VirtualUser], *, workers: int, url: str, tries: int = 40):
    """Spread the users' keep-alive connections evenly over each server's workers.

    gunicorn's workers race to accept new connections, and a keep-alive
    connection stays with the worker that took it: a crowd that logs in at
    once can land mostly on one worker and leave a core idle (half the
    board's throughput in one run here). A proxy in front of gunicorn spreads
    requests over the workers; reconnecting the users of a crowded worker
    until each holds its share does the same here. `url` answers with the
    worker's id. Returns how many users each worker holds, server by server.
    """
    servers: dict[int, list[VirtualUser]] = {}
    for user in users:
        servers.setdefault(user.session.port, []).append(user)
    held = []
    for on_server in servers.values():
        share = -(-len(on_server) // workers)
        for _ in range(tries):
            by_worker: dict[bytes, list[VirtualUser]] = {}
            for user in on_server:
                _, body, _ = user.session.request("GET", url)
                by_worker.setdefault(body, []).append(user)
            crowded = [user for mine in by_worker.values() for user in mine[share:]]
            if not crowded:
                break
            for user in crowded:
                user.session.close()  # the next request opens a new connection
        held += sorted((len(mine) for mine in by_worker.values()), reverse=True)
    return held


def logged_in(host, port, username, password) -> Session:
    session = Session(host, port)
    session.login(username, password)
    return session


def crowd(
    host: str,
    ports: list[int],
    *,
    password: str,
    pools: dict,
    project: str,
    producers: int,
    aps: int,
    episode_url: str | None = None,
    seed: int = 7,
) -> list[VirtualUser]:
    """Producers approving and APs (ap, ap2 in turn) doing their own tasks,
    spread over the servers at `ports` in turn.

    Each virtual user gets its own slice of the task keys it may move, so the
    crowd never races for a task: any refusal is a fault, not bad luck.
    """
    rng = random.Random(seed)
    turn = iter(range(producers + aps))

    def session(username: str) -> Session:
        return logged_in(host, ports[next(turn) % len(ports)], username, password)

    reading = pools.get("all", [])
    users = []
    approve = list(pools.get("ap:review", []) + pools.get("ap2:review", []))
    for index in range(producers):
        mine = Pools(reading, approve=approve[index::producers])
        users.append(
            CrewMember(
                session("producer"),
                random.Random(rng.random()),
                producer=True,
                pools=mine,
                project=project,
                episode_url=episode_url,
            )
        )
    names = ["ap", "ap2"]
    for index in range(aps):
        name = names[index % 2]
        share, of = index // 2, (aps + 1 - index % 2) // 2
        mine = Pools(
            reading,
            start=pools.get(f"{name}:todo", [])[share::of],
            submit=pools.get(f"{name}:in_progress", [])[share::of],
        )
        users.append(
            CrewMember(
                session(name),
                random.Random(rng.random()),
                producer=False,
                pools=mine,
                project=project,
                episode_url=episode_url,
            )
        )
    return users


def readers(host, port, *, password, username, label, url, count) -> list[Reader]:
    """`count` sessions of one user reading one URL."""
    return [
        Reader(logged_in(host, port, username, password), random.Random(i), label, url)
        for i in range(count)
    ]
