"""The nouns of a production: people, projects, crew, tasks and their record."""

import functools
import re
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from production.dates import ZoneSafeDateTimeField, validate_day

CODE_PATTERN = r"^[A-Z]{2,8}$"


class ProjectKind(models.TextChoices):
    FILM = "film", "Film"
    SERIES = "series", "Series"
    NEWS = "news", "News show"
    DOCUMENTARY = "documentary", "Documentary"
    COMMERCIAL = "commercial", "Commercial"
    OTHER = "other", "Other"


class TaskKind(models.TextChoices):
    SCRIPT = "script", "Script"
    TELEPROMPTER = "teleprompter", "Teleprompter"
    EDITING = "editing", "Editing"
    BOOKING = "booking", "Booking"
    PROMOTION = "promotion", "Promotion"
    PITCH = "pitch", "Pitch"
    OTHER = "other", "Other"


class TaskStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    REVIEW = "review", "In review"
    CHANGES = "changes", "Changes requested"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Open and not sent back: what waits on its assignee's next step (my work's
# groups below "sent back").
WAITING_STATUSES = (
    TaskStatus.PROPOSED,
    TaskStatus.TODO,
    TaskStatus.IN_PROGRESS,
    TaskStatus.REVIEW,
)


class TaskPriority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


PHONE_DIGITS = (6, 15)


def validate_phone(value: str) -> None:
    """A number a phone can dial: digits, an optional leading +, and the
    spaces, dashes, dots and brackets people write between them."""
    fewest, most = PHONE_DIGITS
    digits = sum(character.isdigit() for character in value)
    if not re.fullmatch(r"\+?[0-9 ().-]+", value) or not fewest <= digits <= most:
        raise ValidationError(
            f"Enter a phone number of {fewest} to {most} digits, with an optional "
            "+ and spaces or dashes, like +44 20 7946 0958.",
            code="invalid",
        )


class User(AbstractUser):
    """A person who logs in to Slate; crew rights come from memberships."""

    display_name = models.CharField(
        "display name",
        max_length=150,
        blank=True,
        help_text="How Slate shows you to your crews; leave it empty to be shown "
        "by your first and last name.",
    )
    phone = models.CharField(
        "phone",
        max_length=32,
        blank=True,
        validators=[validate_phone],
        help_text="Shown to your crews, so that they can call you.",
    )
    calendar_token = models.CharField(
        "calendar feed token",
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The secret in this person's private iCal feed address.",
    )
    # AbstractUser's, checked and loaded like every date and time in Slate.
    last_login = ZoneSafeDateTimeField("last login", blank=True, null=True)
    date_joined = ZoneSafeDateTimeField("date joined", default=timezone.now)

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def phone_uri(self) -> str:
        """The phone as a tel: link dials it: the digits and a leading +."""
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone) if self.phone else ""


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Every IANA time zone name; reading them scans the zone files (ms)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value):
    if value not in known_time_zones():
        raise ValidationError(f"“{value}” is not a known time zone.")


class ProjectQuerySet(models.QuerySet):
    def with_my_membership(self, user):
        """Each production with the user's own membership (role and all) as
        `mine`, a list of one, knowing whether anyone reports to them there
        (`has_crew`)."""
        mine = user.memberships.select_related("role").with_has_crew(user)
        return self.prefetch_related(
            Prefetch("memberships", queryset=mine, to_attr="mine")
        )


class Project(models.Model):
    """A production: a film, a series, a news show."""

    Kind = ProjectKind

    name = models.CharField("name", max_length=120)
    code = models.CharField(
        "code",
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(CODE_PATTERN, "Use 2 to 8 capital letters, like MORN.")
        ],
        help_text="2 to 8 capital letters, used in task keys (MORN-12).",
    )
    kind = models.CharField("kind", max_length=20, choices=Kind, default=Kind.SERIES)
    description = models.TextField("description", blank=True)
    starts_on = models.DateField(
        "starts on", null=True, blank=True, validators=[validate_day]
    )
    ends_on = models.DateField(
        "ends on", null=True, blank=True, validators=[validate_day]
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Booking slots are shown in this time zone.",
    )
    archived = models.BooleanField("archived", default=False)
    last_task_number = models.PositiveIntegerField(
        "last task number",
        default=0,
        editable=False,
        help_text="The highest task number handed out; numbers are never reused.",
    )
    revision = models.PositiveBigIntegerField(
        "revision",
        default=0,
        editable=False,
        help_text="Counts the changes to what the production's pages show; a "
        "page that updates itself asks only whether it moved (production/changes.py).",
    )
    created_at = ZoneSafeDateTimeField("created", auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "production"
        verbose_name_plural = "productions"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=CODE_PATTERN),
                name="project_code_format",
                violation_error_message="Use 2 to 8 capital letters for the code.",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
                violation_error_message="A production cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values),
                name="project_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("project-board", kwargs={"code": self.code})

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class Episode(models.Model):
    """One episode of a series; tasks may belong to one."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="episodes"
    )
    number = models.PositiveIntegerField("number")
    title = models.CharField("title", max_length=200, blank=True)
    air_date = models.DateField(
        "air date", null=True, blank=True, validators=[validate_day]
    )
    air_time = models.TimeField(
        "air time",
        null=True,
        blank=True,
        help_text="On the production's clock, in its time zone.",
    )

    class Meta:
        verbose_name = "episode"
        verbose_name_plural = "episodes"
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="episode_number_unique_per_project",
                violation_error_message="This production already has that episode.",
            )
        ]

    def __str__(self):
        label = f"Ep. {self.number}"
        return f"{label}: {self.title}" if self.title else label

    def get_absolute_url(self):
        return reverse(
            "episode-detail", kwargs={"code": self.project.code, "pk": self.pk}
        )


# name: (manage the crew, assign tasks, approve work, can be assigned)
STANDARD_ROLES = {
    "Supervising Producer": (True, True, True, True),
    "Producer": (False, True, True, True),
    "Line Producer": (True, True, False, True),
    "Associate Producer": (False, False, False, True),
    "Editor": (False, False, False, True),
    "Writer": (False, False, False, True),
}


class CrewRoleQuerySet(models.QuerySet):
    def for_project(self, project):
        """The standard roles, and any this production defined for itself."""
        return self.filter(Q(project__isnull=True) | Q(project=project))

    def ensure_standard(self):
        """Create the standard roles where missing (a data migration does it
        too; tests that flush the database call this to get them back)."""
        for name, (manage, assign, approve, assignable) in STANDARD_ROLES.items():
            self.get_or_create(
                project=None,
                name=name,
                defaults={
                    "can_manage_crew": manage,
                    "can_assign": assign,
                    "can_approve": approve,
                    "can_be_assigned": assignable,
                },
            )


class CrewRole(models.Model):
    """A named role and what it may do; standard roles have no project."""

    SUPERVISING_PRODUCER = "Supervising Producer"
    PRODUCER = "Producer"
    LINE_PRODUCER = "Line Producer"
    ASSOCIATE_PRODUCER = "Associate Producer"
    EDITOR = "Editor"
    WRITER = "Writer"

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="roles",
        null=True,
        blank=True,
        help_text="Empty for the standard roles every production has.",
    )
    name = models.CharField("name", max_length=60)
    can_manage_crew = models.BooleanField("may manage the crew", default=False)
    can_assign = models.BooleanField("may assign tasks", default=False)
    can_approve = models.BooleanField("may approve work", default=False)
    can_be_assigned = models.BooleanField("may be assigned", default=True)

    objects = CrewRoleQuerySet.as_manager()

    class Meta:
        verbose_name = "crew role"
        verbose_name_plural = "crew roles"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(project__isnull=True),
                name="crewrole_standard_name_unique",
            ),
            models.UniqueConstraint(
                fields=["project", "name"],
                name="crewrole_name_unique_per_project",
            ),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("user", "role", "reports_to")

    def with_has_crew(self, user):
        """Each membership knowing whether anyone reports to `user` on its
        production (`has_crew`)."""
        reports = self.model.objects.filter(
            project=OuterRef("project"), reports_to=user
        )
        return self.annotate(has_crew=Exists(reports))

    def in_crew_order(self):
        """By the name each person goes by (User.__str__), as a crew list reads."""
        shown = Coalesce(NullIf("user__display_name", Value("")), "user__first_name")
        return self.order_by(shown, "user__last_name", "user__username")


class Membership(models.Model):
    """A user on a production's crew, in a role, reporting to someone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(
        CrewRole, on_delete=models.PROTECT, related_name="memberships"
    )
    reports_to = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Who reviews this person's work by default, e.g. an AP's "
        "supervising producer.",
    )
    joined_at = ZoneSafeDateTimeField("joined", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "crew membership"
        verbose_name_plural = "crew memberships"
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"],
                name="membership_unique_per_project",
                violation_error_message="This person is already on the crew.",
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=F("user")),
                name="membership_not_reporting_to_self",
                violation_error_message="Nobody reports to themselves.",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.role} on {self.project.code}"

    def clean(self):
        if self.role_id and self.role.project_id not in (None, self.project_id):
            raise ValidationError({"role": "That role belongs to another production."})
        if self.reports_to_id:
            # The line of the whole crew, read once: the new boss must be on
            # it, and walking up from them must never come back to this person.
            line = dict(
                Membership.objects.filter(project_id=self.project_id).values_list(
                    "user_id", "reports_to_id"
                )
            )
            if self.reports_to_id not in line:
                raise ValidationError(
                    {"reports_to": "They must report to someone on this crew."}
                )
            # Reporting to oneself has its own sentence (the check constraint).
            boss = self.reports_to_id if self.reports_to_id != self.user_id else None
            seen = set()
            while boss is not None and boss not in seen:
                if boss == self.user_id:
                    raise ValidationError(
                        {
                            "reports_to": "That would make a loop: the person "
                            "they would report to already reports to them, "
                            "directly or up the line."
                        }
                    )
                seen.add(boss)
                boss = line.get(boss)


class Task(models.Model):
    """A duty on a production: a script, an edit, a booking, a pitch..."""

    Kind = TaskKind
    Status = TaskStatus
    Priority = TaskPriority

    OPEN_STATUSES = (
        TaskStatus.PROPOSED,
        TaskStatus.TODO,
        TaskStatus.IN_PROGRESS,
        TaskStatus.REVIEW,
        TaskStatus.CHANGES,
    )

    # The production's, assignee's, reviewer's and episode's tasks are found
    # through the indexes in Meta that start with them, not an index of
    # their own.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    number = models.PositiveIntegerField("number", editable=False)
    key = models.CharField("key", max_length=20, unique=True, editable=False)
    title = models.CharField("title", max_length=200)
    kind = models.CharField("kind", max_length=20, choices=Kind, default=Kind.OTHER)
    description = models.TextField("description", blank=True)
    status = models.CharField(
        "status", max_length=20, choices=Status, default=Status.TODO
    )
    priority = models.PositiveSmallIntegerField(
        "priority", choices=Priority, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        db_index=False,
    )
    reviewer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_tasks",
        db_index=False,
        help_text="Approves the work; by default the assignee's supervisor.",
    )
    due_date = models.DateField(
        "due date", null=True, blank=True, validators=[validate_day]
    )
    episode = models.ForeignKey(
        Episode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        db_index=False,
    )
    # Booking details, used when kind is "booking".
    guest = models.CharField("guest or talent", max_length=200, blank=True)
    contact = models.CharField("contact", max_length=200, blank=True)
    starts_at = ZoneSafeDateTimeField("slot starts", null=True, blank=True)
    ends_at = ZoneSafeDateTimeField("slot ends", null=True, blank=True)
    location = models.CharField("location", max_length=200, blank=True)
    confirmed = models.BooleanField("confirmed", default=False)

    archived = models.BooleanField(
        "archived", default=False, help_text="Hidden from pages; kept for the record."
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tasks",
    )
    created_at = ZoneSafeDateTimeField("created", auto_now_add=True)
    updated_at = ZoneSafeDateTimeField("updated", auto_now=True)
    status_changed_at = ZoneSafeDateTimeField("status changed", default=timezone.now)
    version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="Grows on every change; an edit made from an older version "
        "is refused.",
    )
    made_from = models.ForeignKey(
        "RunOfShowLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="tasks",
        help_text="The run-of-show line this task was made from, for its episode.",
    )

    class Meta:
        verbose_name = "task"
        verbose_name_plural = "tasks"
        ordering = ["project", "number"]
        constraints = [
            # Applying a template twice makes nothing twice.
            models.UniqueConstraint(
                fields=["episode", "made_from"],
                name="task_made_once_per_episode",
                violation_error_message="That episode already has the task "
                "this run-of-show duty made for it.",
            ),
            models.UniqueConstraint(
                fields=["project", "number"], name="task_number_unique_per_project"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values),
                name="task_status_valid",
                violation_error_message="Unknown status.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TaskKind.values),
                name="task_kind_valid",
                violation_error_message="Unknown kind.",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TaskPriority.values),
                name="task_priority_valid",
                violation_error_message="Unknown priority.",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="task_slot_ends_after_start",
                violation_error_message="A booking slot must end after it starts.",
            ),
        ]
        # Each index is written on every insert and on most updates, and
        # PostgreSQL's planner weighs each one for every task query: none
        # here is the first columns of another (the foreign keys' own
        # indexes are left out for that reason, db_index=False above).
        indexes = [
            # What awaits a reviewer, and what waits for nobody on a production,
            # counted from the index alone and read oldest first (my work).
            models.Index(
                fields=[
                    "reviewer",
                    "status",
                    "archived",
                    "project",
                    "status_changed_at",
                ],
                name="task_review",
            ),
            # What waits for nobody, read oldest first: task_review holds it
            # too, but after a reviewer IS NULL, which is no equality to the
            # planner, PostgreSQL read every such task and sorted them.
            models.Index(
                fields=["status", "archived", "project", "status_changed_at"],
                condition=models.Q(reviewer__isnull=True),
                name="task_review_nobody",
            ),
            # Slots by start; with their end, a booking's clashes (bookings.py)
            # are checked in the index, not in every earlier booking's row.
            models.Index(
                fields=["project", "starts_at", "ends_at"], name="task_project_slot"
            ),
            # Open tasks counted by assignee (the crew page, my work's team
            # load and crew counts) read this index alone, not each task row.
            models.Index(
                fields=["project", "status", "archived", "assignee", "due_date"],
                name="task_load",
            ),
            # My work's "sent back": a person's first tasks of one status in
            # a range of due dates, in row order, read without a sort.
            models.Index(
                fields=[
                    "assignee",
                    "status",
                    "archived",
                    "due_date",
                    "-priority",
                    "key",
                ],
                name="task_my_work",
            ),
            # My work's other groups: a person's first waiting tasks in a
            # range of due dates, in row order, whatever their status; their
            # production checked in the index (without it, PostgreSQL's
            # generic plan preferred task_calendar and sorted a person's
            # whole range). Its condition compares no column another query
            # compares with a parameter: SQLite plans such a query again on
            # every run, to see whether its value still meets the condition.
            models.Index(
                fields=[
                    "assignee",
                    "archived",
                    "due_date",
                    "-priority",
                    "key",
                    "project",
                ],
                condition=Q(status__in=WAITING_STATUSES),
                name="task_my_waiting",
            ),
            # A production's pitches, oldest first (my work).
            models.Index(
                fields=["project", "status", "archived", "created_at"],
                name="task_pitches",
            ),
            # The calendars (views/calendar.py): a day's first tasks by id
            # read in order (PostgreSQL walked the primary key without the
            # id here), and a month's days and slots counted from the index
            # alone, a production's and a person's.
            models.Index(
                fields=["project", "due_date", "id", "archived", "status", "assignee"],
                name="task_calendar",
            ),
            models.Index(
                fields=["assignee", "due_date", "id", "project", "archived", "status"],
                name="task_my_calendar",
            ),
            models.Index(
                fields=[
                    "project",
                    "starts_at",
                    "kind",
                    "archived",
                    "status",
                    "due_date",
                    "assignee",
                ],
                name="task_calendar_slot",
            ),
            # The board's column tops in views/board.py's CARD_ORDER, term for
            # term ("no date" a term of its own: an SQLite index cannot put
            # NULLs last), read in order without sorting the column.
            models.Index(
                F("project"),
                F("status"),
                F("archived"),
                F("priority").desc(),
                models.lookups.IsNull(F("due_date"), True),
                F("due_date"),
                F("number"),
                name="task_cards",
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.title}"

    def get_absolute_url(self):
        return reverse("task-detail", kwargs={"key": self.key})

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_booking(self):
        return self.kind == self.Kind.BOOKING

    @functools.cached_property
    def is_overdue(self):
        """Open and past its due date, by the clock it is first asked under: a
        page of rows asks once per row, and the count and the rows agree."""
        return (
            self.is_open
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "A booking slot must end after it starts."
        if self.project_id:
            people = {
                "assignee": self.assignee_id,
                "reviewer": self.reviewer_id,
            }
            wanted = {pk for pk in people.values() if pk}
            crew = {
                membership.user_id: membership.role
                for membership in Membership.objects.filter(
                    project_id=self.project_id, user_id__in=wanted
                ).select_related("role")
            }
            for field, pk in people.items():
                if pk and pk not in crew:
                    errors[field] = "Choose someone on this production's crew."
            if self.assignee_id in crew and not crew[self.assignee_id].can_be_assigned:
                errors["assignee"] = "Their crew role may not be assigned work."
            if self.reviewer_id and self.reviewer_id == self.assignee_id:
                errors.setdefault(
                    "reviewer",
                    "Choose someone other than the assignee: nobody reviews "
                    "their own work.",
                )
            if self.episode_id and self.episode.project_id != self.project_id:
                errors["episode"] = "That episode belongs to another production."
        if errors:
            raise ValidationError(errors)


class TaskTally(models.Model):
    """How many unarchived tasks a production has of one status, assignee
    and reviewer, kept by the database's own triggers on the task table
    (migration 0013), so that every write keeps it right: the services, the
    admin, bulk_create, QuerySet.update, deletes and cascades. Pages count
    from here (production/tallies.py) in a few rows, however many tasks
    there are. Rows that fall to 0 stay: readers skip them."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tallies"
    )
    # Plain numbers as wide as a user's id, not foreign keys: 0 for nobody,
    # because NULLs are all distinct in a unique constraint.
    assignee_id = models.BigIntegerField(
        "assignee", default=0, help_text="The assignee's user id; 0 for nobody."
    )
    reviewer_id = models.BigIntegerField(
        "reviewer", default=0, help_text="The reviewer's user id; 0 for nobody."
    )
    status = models.CharField("status", max_length=20, choices=TaskStatus)
    tasks = models.PositiveIntegerField(
        "tasks", default=0, help_text="Unarchived tasks with these values."
    )

    class Meta:
        verbose_name = "task tally"
        verbose_name_plural = "task tallies"
        ordering = ["project", "status", "assignee_id", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "assignee_id", "reviewer_id", "status"],
                name="task_tally_unique",
            ),
        ]

    def __str__(self):
        return f"{self.project_id} {self.status}: {self.tasks}"


class DueTally(models.Model):
    """How many open, unarchived tasks of a production one person has due on
    one day, kept by the database's triggers on the task table (migration
    0015) as TaskTally is. A count of overdue tasks sums the days before
    today: a row per person and day, however many tasks fall due on it
    (tallies.py). Undated tasks are never overdue and have no row."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="due_tallies"
    )
    assignee_id = models.BigIntegerField(
        "assignee", default=0, help_text="The assignee's user id; 0 for nobody."
    )
    due_date = models.DateField("due date")
    tasks = models.PositiveIntegerField(
        "tasks", default=0, help_text="Open, unarchived tasks due that day."
    )

    class Meta:
        verbose_name = "due-day tally"
        verbose_name_plural = "due-day tallies"
        ordering = ["project", "due_date", "assignee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "assignee_id", "due_date"],
                name="due_tally_unique",
            ),
        ]

    def __str__(self):
        return f"{self.project_id} {self.due_date}: {self.tasks}"


# Comments and a move's note alike: room for a script page, not a script.
COMMENT_MAX_LENGTH = 10_000


class Comment(models.Model):
    """A message in a task's discussion."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    body = models.TextField("comment", max_length=COMMENT_MAX_LENGTH)
    created_at = ZoneSafeDateTimeField("written", auto_now_add=True)

    class Meta:
        verbose_name = "comment"
        verbose_name_plural = "comments"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author} on {self.task.key}"


class Activity(models.Model):
    """One entry in a task's history: who changed what, from what to what."""

    class Verb(models.TextChoices):
        CREATED = "created", "created"
        ASSIGNED = "assigned", "assigned"
        CHANGED = "changed", "changed"
        MOVED = "moved", "moved"
        COMMENTED = "commented", "commented on"
        ARCHIVED = "archived", "archived"

    # The record outlives the task: an admin deleting a task leaves its
    # history, still named by the task's key.
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    task_key = models.CharField("task", max_length=20, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="activities"
    )
    verb = models.CharField("what", max_length=20, choices=Verb)
    field = models.CharField("field", max_length=40, blank=True)
    old_value = models.TextField("from", blank=True)
    new_value = models.TextField("to", blank=True)
    note = models.TextField("note", blank=True)
    task_version = models.PositiveIntegerField(
        "task version",
        default=0,
        help_text="The task's version after this change; tells a stale edit "
        "what it missed.",
    )
    created_at = ZoneSafeDateTimeField("when", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "activity"
        verbose_name_plural = "activities"
        ordering = ["created_at", "id"]

    def __str__(self):
        what = f"{self.verb} {self.field}".strip()
        return f"{self.actor} {what} {self.task_key}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    REVIEW = "review", "Waiting for your review"
    APPROVED = "approved", "Your work approved"
    CHANGES = "changes", "Changes requested"
    PITCH_ACCEPTED = "pitch_accepted", "Your pitch accepted"
    PITCH_DECLINED = "pitch_declined", "Your pitch declined"
    COMMENTED = "commented", "A comment on your task"
    MENTIONED = "mentioned", "Mentioned in a comment"
    BOOKING_CHANGED = "booking_changed", "Your booking changed"
    DUE_CHANGED = "due_changed", "Your due date changed"


class Notification(models.Model):
    """One event told to one person: in the app, and by e-mail if they wish."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications_caused",
        help_text="Who did what the notification tells.",
    )
    kind = models.CharField("kind", max_length=20, choices=Kind)
    summary = models.CharField(
        "summary",
        max_length=300,
        help_text="The one line a person reads, e.g. “Paula Reyes approved "
        "MORN-12 Book the chef”.",
    )
    note = models.TextField(
        "note", blank=True, help_text="The changes asked for, or the comment."
    )
    created_at = ZoneSafeDateTimeField("when", default=timezone.now)
    read_at = ZoneSafeDateTimeField("read", null=True, blank=True)
    emailed_at = ZoneSafeDateTimeField(
        "e-mailed",
        null=True,
        blank=True,
        editable=False,
        help_text="When it went out by e-mail, at once or in a digest; set when "
        "a worker claims it, so that it never goes out twice.",
    )

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
            ),
        ]
        indexes = [
            # The bell: a person's unread count.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The notifications page, newest first.
            models.Index(
                fields=["recipient", "created_at"], name="notification_recent"
            ),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return self.task.get_absolute_url() if self.task_id else reverse("my-work")


class Delivery(models.TextChoices):
    APP = "app", "In the app only"
    EMAIL = "email", "By e-mail at once"
    DIGEST = "digest", "In the daily digest"


# What a person gets without having chosen: an e-mail for what waits on them
# now, the app alone for the rest.
DEFAULT_DELIVERY = {
    NotificationKind.ASSIGNED: Delivery.EMAIL,
    NotificationKind.REVIEW: Delivery.EMAIL,
    NotificationKind.CHANGES: Delivery.EMAIL,
    NotificationKind.MENTIONED: Delivery.EMAIL,
}


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of event; none: the default."""

    Delivery = Delivery

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField("event", max_length=20, choices=NotificationKind)
    delivery = models.CharField("delivery", max_length=10, choices=Delivery)

    class Meta:
        verbose_name = "notification preference"
        verbose_name_plural = "notification preferences"
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notification_preference_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values)
                & Q(delivery__in=Delivery.values),
                name="notification_preference_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} {self.get_delivery_display()}"


def default_delivery(kind: str) -> str:
    return DEFAULT_DELIVERY.get(kind, Delivery.APP)


def delivery_for(user, kind: str) -> str:
    """How this person (a User or its id) hears of this kind of event."""
    user_id = getattr(user, "pk", user)
    chosen = (
        NotificationPreference.objects.filter(user_id=user_id, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or default_delivery(kind)


def deliveries_for(user_ids, kind: str) -> dict[int, str]:
    """delivery_for for many people in one query: {user id: delivery}."""
    user_ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, kind=kind
        ).values_list("user_id", "delivery")
    )
    return {pk: chosen.get(pk) or default_delivery(kind) for pk in user_ids}


class DigestSent(models.Model):
    """One person's daily digest on one day (the site's), claimed before it
    is sent: a second run that day finds the row and sends nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField("day")
    sent_at = ZoneSafeDateTimeField("sent", default=timezone.now)

    class Meta:
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")
        ]

    def __str__(self):
        return f"{self.user}: digest of {self.day}"


# --- run-of-show templates: an episode's duties, dated back from its air date ---

# A duty is due at most this many days before air.
MAX_DAYS_BEFORE = 60


class RunOfShow(models.Model):
    """A production's template of the duties every episode brings."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="run_of_shows"
    )
    name = models.CharField("name", max_length=120)

    class Meta:
        verbose_name = "run-of-show template"
        verbose_name_plural = "run-of-show templates"
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="runofshow_name_unique_per_project",
                violation_error_message="This production already has a "
                "template by that name.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "run-of-show-detail", kwargs={"code": self.project.code, "pk": self.pk}
        )


class RunOfShowLine(models.Model):
    """One duty of a template: what, for whom, and how long before air."""

    template = models.ForeignKey(
        RunOfShow, on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(
        "kind", max_length=20, choices=TaskKind, default=TaskKind.OTHER
    )
    title = models.CharField(
        "title",
        max_length=200,
        help_text="{number} and {title} become the episode's number and title.",
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="assignee",
    )
    role = models.ForeignKey(
        CrewRole,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="or whoever holds the role",
    )
    reviewer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="reviewer",
    )
    priority = models.PositiveSmallIntegerField(
        "priority", choices=TaskPriority, default=TaskPriority.NORMAL
    )
    days_before = models.PositiveSmallIntegerField(
        "days before air",
        default=0,
        validators=[MaxValueValidator(MAX_DAYS_BEFORE)],
        help_text=f"0 is the air date itself; at most {MAX_DAYS_BEFORE}.",
    )
    time = models.TimeField(
        "time",
        null=True,
        blank=True,
        help_text="On the production's clock: a booking's slot starts then; "
        "any other duty is due by then.",
    )

    class Meta:
        verbose_name = "run-of-show line"
        verbose_name_plural = "run-of-show lines"
        ordering = ["template", "-days_before", F("time").asc(nulls_first=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(role__isnull=True),
                name="runofshowline_person_or_role",
                violation_error_message="Choose a person or a role, not both.",
            ),
            models.CheckConstraint(
                condition=Q(days_before__lte=MAX_DAYS_BEFORE),
                name="runofshowline_days_before_range",
                violation_error_message=f"At most {MAX_DAYS_BEFORE} days before air.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TaskKind.values),
                name="runofshowline_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TaskPriority.values),
                name="runofshowline_priority_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from production.run_of_show import unknown_placeholders

        errors = {}
        if unknown := unknown_placeholders(self.title):
            errors["title"] = (
                f"Use only {{number}} and {{title}} in braces, not {unknown[0]}."
            )
        if self.assignee_id and self.role_id:
            errors["role"] = "Choose a person or a role, not both."
        if (
            self.template_id
            and self.role_id
            and self.role.project_id
            not in (
                None,
                self.template.project_id,
            )
        ):
            errors["role"] = "That role belongs to another production."
        if errors:
            raise ValidationError(errors)
