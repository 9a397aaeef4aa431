"""Demo data: a morning news show with its crew and a day's worth of work."""

import datetime as dt
import random
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from production import run_of_show
from production.models import (
    Activity,
    Comment,
    CrewRole,
    Episode,
    Membership,
    Notification,
    Project,
    RunOfShow,
    RunOfShowLine,
    Task,
    User,
)
from production.services import reserve_task_numbers

PASSWORD = "slate-demo"  # noqa: S105 - the documented demo login
S = Task.Status
K = Task.Kind
P = Task.Priority

PEOPLE = {
    # username: (first name, last name, phone). The numbers are from Ofcom's
    # ranges kept for drama, so none of them rings anyone.
    "producer": ("Paula", "Reyes", "+44 20 7946 0102"),
    "ap": ("Sam", "Okafor", "+44 7700 900213"),
    "ap2": ("Jo", "Lindqvist", "+44 7700 900348"),
    "editor": ("Eddie", "Marsh", "+44 7700 900472"),
    "writer": ("Wren", "Adeyemi", "+44 7700 900586"),
    "outsider": ("Olive", "Stone", "+44 161 496 0731"),
}

MORN_CREW = {
    # username: (role, reports to). The editor and the writer work with `ap`,
    # who hands them editing and script duties, checks their work and sends
    # it up to the producer.
    "producer": (CrewRole.SUPERVISING_PRODUCER, None),
    "ap": (CrewRole.ASSOCIATE_PRODUCER, "producer"),
    "ap2": (CrewRole.ASSOCIATE_PRODUCER, "producer"),
    "editor": (CrewRole.EDITOR, "ap"),
    "writer": (CrewRole.WRITER, "ap"),
}

# title, kind, status, assignee, due in days (None: no date), priority
MORN_TASKS = [
    ("Pitch: school lunch investigation", K.PITCH, S.PROPOSED, "ap", None, P.NORMAL),
    ("Pitch: rooftop gardens feature", K.PITCH, S.PROPOSED, "ap2", None, P.LOW),
    ("Rewrite cold open for Monday", K.SCRIPT, S.TODO, "ap", 0, P.HIGH),
    ("Cut weather package to 1:30", K.EDITING, S.IN_PROGRESS, "ap", -2, P.URGENT),
    ("Revise copy to match the shot list", K.SCRIPT, S.REVIEW, "ap", 3, P.NORMAL),
    ("Promo for Friday's cooking segment", K.PROMOTION, S.CHANGES, "ap", 1, P.HIGH),
    ("Run teleprompter for Tuesday's show", K.TELEPROMPTER, S.DONE, "ap", -5, P.NORMAL),
    ("Archive B-roll from the marathon", K.OTHER, S.CANCELLED, "ap", -10, P.LOW),
    ("Script the traffic explainer", K.SCRIPT, S.TODO, "ap", 12, P.NORMAL),
    ("Select shots for the mayor interview", K.EDITING, S.TODO, "editor", 2, P.HIGH),
    ("Cue up tapes for the 7am block", K.EDITING, S.IN_PROGRESS, "editor", 0, P.HIGH),
    ("Write headlines for Wednesday", K.SCRIPT, S.REVIEW, "writer", -1, P.NORMAL),
    (
        "Draft the election night rundown",
        K.SCRIPT,
        S.IN_PROGRESS,
        "writer",
        9,
        P.NORMAL,
    ),
    (
        "Teleprompter for the weekend edition",
        K.TELEPROMPTER,
        S.TODO,
        "ap2",
        4,
        P.NORMAL,
    ),
    ("Social clips for the health segment", K.PROMOTION, S.REVIEW, "ap2", 2, P.LOW),
    ("Update the contacts sheet", K.OTHER, S.DONE, "ap2", -3, P.LOW),
]

# title, guest, contact, location, day offset, start hour, minutes, confirmed
MORN_BOOKINGS = [
    (
        "Book the chef for the cooking segment",
        "Chef Ana Ruiz",
        "ana@ruizkitchen.example",
        "Studio B",
        1,
        7,
        30,
        True,
    ),
    (
        "Book the city councillor on housing",
        "Cllr. Tom Baines",
        "press@council.example",
        "Studio B",
        1,
        7,
        45,
        False,
    ),
    (
        "Book the marathon winner",
        "Grace Kiplagat",
        "+44 20 7946 0011",
        "Remote — Manchester",
        3,
        8,
        20,
        True,
    ),
]


class Command(BaseCommand):
    help = "Create the demo productions MORN and NITE with crew and tasks (once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tasks",
            type=int,
            default=0,
            help="Also add this many generated tasks to MORN (for load tests).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo passwords are public).",
        )

    def handle(self, *args, tasks, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a public password; it runs only "
                "with DEBUG=1, or with --force."
            )
        if tasks < 0:
            raise CommandError("--tasks takes a number of 0 or more.")
        with transaction.atomic():
            created = seed_base()
            if created:
                add_weekday_show(Project.objects.get(code="MORN"))
                add_demo_notifications(Project.objects.get(code="MORN"))
            if tasks:
                add_generated_tasks(Project.objects.get(code="MORN"), tasks)
        if created:
            self.stdout.write("Created the demo productions MORN and NITE.")
        else:
            self.stdout.write("The demo data is already there; nothing changed.")
        if tasks:
            self.stdout.write(f"Added {tasks} generated tasks to MORN.")


def seed_base() -> bool:
    """Create the demo once; False when it is already there."""
    if Project.objects.filter(code="MORN").exists():
        return False
    users = {}
    for username, (first, last, phone) in PEOPLE.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@slate.example",
                "phone": phone,
            },
        )
        user.set_password(PASSWORD)
        user.save()
        users[username] = user
    # Starting productions is a site permission, given in the admin.
    users["producer"].user_permissions.add(
        Permission.objects.get(
            content_type__app_label="production", codename="add_project"
        )
    )
    CrewRole.objects.ensure_standard()
    roles = {role.name: role for role in CrewRole.objects.filter(project=None)}

    morn = Project.objects.create(
        name="Morning Live",
        code="MORN",
        kind=Project.Kind.NEWS,
        description="The weekday morning news show.",
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        time_zone="Europe/London",
    )
    for username, (role, boss) in MORN_CREW.items():
        Membership.objects.create(
            project=morn,
            user=users[username],
            role=roles[role],
            reports_to=users.get(boss),
        )
    today = timezone.localdate()
    episodes = [
        Episode.objects.create(
            project=morn,
            number=number,
            title=title,
            air_date=today + dt.timedelta(days=offset),
        )
        for number, title, offset in [
            (101, "Monday", 0),
            (102, "Tuesday", 1),
            (103, "Wednesday", 2),
        ]
    ]

    for index, (title, kind, status, who, due, priority) in enumerate(MORN_TASKS):
        # Each task comes from, and is reviewed by, the one its assignee
        # reports to; a pitch comes from its pitcher.
        boss = MORN_CREW[who][1]
        task = _add_task(
            morn,
            users,
            boss=boss,
            author=who if kind == K.PITCH else boss,
            title=title,
            kind=kind,
            status=status,
            assignee=users[who],
            due_date=today + dt.timedelta(days=due) if due is not None else None,
            priority=priority,
            episode=episodes[index % len(episodes)] if due is not None else None,
        )
        if status == S.CHANGES:
            _note_changes(task, users["producer"])
    zone = zoneinfo.ZoneInfo(morn.time_zone)
    for title, guest, contact, place, day, hour, minute, confirmed in MORN_BOOKINGS:
        starts = dt.datetime.combine(
            today + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=zone
        )
        _add_task(
            morn,
            users,
            title=title,
            kind=K.BOOKING,
            status=S.IN_PROGRESS,
            assignee=users["ap2"] if place == "Studio B" else users["ap"],
            due_date=starts.date(),
            priority=P.HIGH,
            guest=guest,
            contact=contact,
            location=place,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            confirmed=confirmed,
        )

    nite = Project.objects.create(
        name="Late Night Tonight",
        code="NITE",
        kind=Project.Kind.SERIES,
        description="The late-night talk show.",
        time_zone="America/New_York",
    )
    Membership.objects.create(
        project=nite, user=users["outsider"], role=roles[CrewRole.SUPERVISING_PRODUCER]
    )
    Membership.objects.create(
        project=nite,
        user=users["ap2"],
        role=roles[CrewRole.ASSOCIATE_PRODUCER],
        reports_to=users["outsider"],
    )
    _add_task(
        nite,
        users,
        title="Book the band for Friday",
        kind=K.BOOKING,
        status=S.TODO,
        assignee=users["ap2"],
        due_date=today + dt.timedelta(days=2),
        priority=P.NORMAL,
        boss="outsider",
    )
    _add_task(
        nite,
        users,
        title="Monologue jokes, first pass",
        kind=K.SCRIPT,
        status=S.IN_PROGRESS,
        assignee=users["ap2"],
        due_date=today,
        priority=P.HIGH,
        boss="outsider",
    )
    return True


# MORN's weekday show, as a run-of-show template: title, kind, assignee (a
# username, or a role), days before air, time on the London clock, priority.
WEEKDAY_SHOW = [
    (
        "Book the lead guest for Ep. {number}",
        K.BOOKING,
        "ap2",
        7,
        dt.time(7, 40),
        P.HIGH,
    ),
    ("Book the studio band for {title}", K.BOOKING, "ap2", 6, dt.time(8, 20), P.NORMAL),
    ("Script draft: {title}", K.SCRIPT, CrewRole.WRITER, 3, None, P.NORMAL),
    ("Promo for {title}", K.PROMOTION, "ap", 2, None, P.NORMAL),
    ("Social clips for Ep. {number}", K.PROMOTION, "ap2", 1, None, P.LOW),
    (
        "Revise copy to match the shots: {title}",
        K.SCRIPT,
        "ap",
        1,
        dt.time(16, 0),
        P.HIGH,
    ),
    ("Teleprompter for Ep. {number}", K.TELEPROMPTER, "ap", 0, dt.time(5, 30), P.HIGH),
    ("Cue up tapes for Ep. {number}", K.EDITING, "editor", 0, dt.time(5, 45), P.HIGH),
]
# Episodes made from it: number, title, days from today.
WEEKDAY_EPISODES = [(104, "Thursday", 3), (105, "Friday", 4), (106, "Monday", 7)]


def add_weekday_show(morn: Project) -> None:
    """The weekday show's template, and a few episodes made from it around today.

    For `make run` only: the tests' world (seed_base) stays as it is. Written
    directly, like the rest of the demo (services.run_of_show_apply would
    check rights and notify for each task): the same plan, the same tasks,
    each marked with the line that made it.
    """
    users = {user.username: user for user in User.objects.all()}
    roles = {role.name: role for role in CrewRole.objects.filter(project=None)}
    today = timezone.localdate()
    template = RunOfShow.objects.create(project=morn, name="Weekday show")
    lines = RunOfShowLine.objects.bulk_create(
        RunOfShowLine(
            template=template,
            title=title,
            kind=kind,
            assignee=users.get(who),
            role=roles.get(who),
            days_before=days,
            time=time,
            priority=priority,
        )
        for title, kind, who, days, time, priority in WEEKDAY_SHOW
    )
    crew = list(Membership.objects.filter(project=morn).with_people().in_crew_order())
    for number, title, offset in WEEKDAY_EPISODES:
        episode = Episode.objects.create(
            project=morn,
            number=number,
            title=title,
            air_date=today + dt.timedelta(days=offset),
            air_time=dt.time(6, 0),
        )
        for planned in run_of_show.plan(episode, lines, crew, zone=morn.tzinfo):
            # What is past is done; a booking ahead is being confirmed.
            status = S.TODO
            if planned.due_date < today:
                status = S.DONE
            elif planned.kind == K.BOOKING:
                status = S.IN_PROGRESS
            # Like every demo task: from, and reviewed by, the assignee's boss.
            boss = MORN_CREW[planned.assignee.username][1]
            _add_task(
                morn,
                users,
                boss=boss,
                title=planned.title,
                kind=planned.kind,
                status=status,
                assignee=planned.assignee,
                due_date=planned.due_date,
                priority=planned.priority,
                starts_at=planned.starts_at,
                ends_at=planned.ends_at,
                description=planned.description,
                confirmed=status == S.DONE,
                episode=episode,
                made_from=planned.line,
            )


def add_demo_notifications(morn: Project) -> None:
    """A few unread notifications, so that the bell has news under `make run`:
    what the demo's own history would have told the producer and the AP.
    Written as rows: the demo sends no e-mail."""
    users = {user.username: user for user in User.objects.all()}
    producer, ap, ap2 = users["producer"], users["ap"], users["ap2"]
    tasks = {task.title: task for task in Task.objects.filter(project=morn)}
    sent_back = tasks["Promo for Friday's cooking segment"]
    assigned = tasks["Rewrite cold open for Monday"]
    copy = tasks["Revise copy to match the shot list"]
    clips = tasks["Social clips for the health segment"]
    note = sent_back.activities.filter(new_value=S.CHANGES).values_list(
        "note", flat=True
    )
    Kind = Notification.Kind
    told = [
        # recipient, actor, kind, task, summary, minutes ago
        (ap, producer, Kind.CHANGES, sent_back, "requested changes to {task}", 95),
        (ap, producer, Kind.ASSIGNED, assigned, "assigned you {task}", 40),
        (producer, ap, Kind.REVIEW, copy, "submitted {task} for your review", 25),
        (producer, ap2, Kind.REVIEW, clips, "submitted {task} for your review", 10),
    ]
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            project=morn,
            task=task,
            actor=actor,
            kind=kind,
            summary=f"{actor} " + what.format(task=task),
            note=(note.first() or "") if kind == Kind.CHANGES else "",
            created_at=now - dt.timedelta(minutes=minutes),
        )
        for recipient, actor, kind, task, what, minutes in told
    )


def _add_task(project, users, *, boss="producer", author=None, **fields) -> Task:
    (number,) = reserve_task_numbers(project)
    task = Task.objects.create(
        project=project,
        number=number,
        key=f"{project.code}-{number}",
        reviewer=users[boss],
        created_by=users[author or boss],
        **fields,
    )
    Activity.objects.create(
        task=task,
        task_key=task.key,
        actor=task.created_by,
        verb=Activity.Verb.CREATED,
        new_value=task.title,
        task_version=task.version,
    )
    return task


def _note_changes(task, producer) -> None:
    note = "The promo runs long: trim it to 20 seconds and use the new logo."
    Activity.objects.create(
        task=task,
        task_key=task.key,
        actor=producer,
        verb=Activity.Verb.MOVED,
        field="status",
        old_value=S.REVIEW,
        new_value=S.CHANGES,
        note=note,
        task_version=task.version,
    )
    Comment.objects.create(task=task, author=producer, body=note)


GENERATED_TITLES = [
    "Script the {} segment",
    "Edit the {} package",
    "Book a guest for {}",
    "Promo for {}",
    "Teleprompter run for {}",
    "Research notes on {}",
]
TOPICS = [
    "transport",
    "schools",
    "weather",
    "housing",
    "sport",
    "arts",
    "health",
    "business",
    "local elections",
    "food",
]


def add_generated_tasks(project: Project, count: int) -> None:
    """Add `count` varied tasks in bulk, for load and benchmark work."""
    rng = random.Random(f"{project.code}-{project.last_task_number}")
    crew = list(
        Membership.objects.filter(project=project, role__can_be_assigned=True)
        .select_related("user")
        .order_by("user__username")
    )
    episodes = list(project.episodes.all()) or [None]
    today = timezone.localdate()
    zone = zoneinfo.ZoneInfo(project.time_zone)
    numbers = reserve_task_numbers(project, count)
    tasks = []
    for number in numbers:
        member = rng.choice(crew)
        kind = rng.choice(K.values)
        status = S.PROPOSED if kind == K.PITCH else rng.choice(S.values[1:])
        due = today + dt.timedelta(days=rng.randint(-20, 40))
        task = Task(
            project=project,
            number=number,
            key=f"{project.code}-{number}",
            title=rng.choice(GENERATED_TITLES).format(rng.choice(TOPICS)),
            kind=kind,
            status=status,
            priority=rng.choice(P.values),
            assignee=member.user,
            reviewer_id=member.reports_to_id,
            due_date=due,
            episode=rng.choice(episodes),
        )
        if kind == K.BOOKING:
            task.starts_at = dt.datetime.combine(
                due, dt.time(rng.randint(6, 20), rng.choice([0, 15, 30, 45])), zone
            )
            task.ends_at = task.starts_at + dt.timedelta(minutes=30)
            task.guest = f"Guest {number}"
            task.location = rng.choice(["Studio A", "Studio B", "Remote"])
        tasks.append(task)
    Task.objects.bulk_create(tasks, batch_size=500)
    created = Task.objects.filter(project=project, number__gte=numbers.start).only(
        "id", "key"
    )
    Activity.objects.bulk_create(
        [
            Activity(
                task_id=task.id,
                task_key=task.key,
                verb=Activity.Verb.CREATED,
                task_version=1,
            )
            for task in created
        ],
        batch_size=500,
    )
