from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from production import dates, services
from production.changes import bump_revision
from production.models import (
    Activity,
    Comment,
    CrewRole,
    DigestSent,
    DueTally,
    Episode,
    Membership,
    Notification,
    NotificationPreference,
    Project,
    RunOfShow,
    RunOfShowLine,
    Task,
    TaskTally,
    User,
)

admin.site.site_header = "Slate administration"
admin.site.site_title = "Slate"


@admin.register(User)
class SlateUserAdmin(UserAdmin):
    """Django's user admin, with what a person keeps on their profile page."""

    fieldsets = [
        (name, {**options, "fields": [*options["fields"], "display_name", "phone"]})
        if name == "Personal info"
        else (name, options)
        for name, options in UserAdmin.fieldsets
    ]
    list_display = ["username", "display_name", "first_name", "last_name", "email"]
    search_fields = [*UserAdmin.search_fields, "display_name", "phone"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.person_changed(obj)


class DrillDownChangeList(ChangeList):
    """Django's change list, refusing an impossible date drill-down like any
    other bad filter: back to the whole list (Django's ?e=1), not a 500.

    The drill-down makes a date from ?due_date__year= (and __month, __day)
    and the first date after it; a year past 9999 or a number past Python's
    integers raised OverflowError or ValueError where Django expects neither.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class DrillDownAdmin(admin.ModelAdmin):
    """An admin list with a date_hierarchy."""

    def get_changelist(self, request, **kwargs):
        return DrillDownChangeList


class ShownOnPagesAdmin(admin.ModelAdmin):
    """Records a production's pages show: an edit or a deletion here counts as a
    change to the production, as the app's own writes do (changes.py), so open
    pages bring it on their next poll instead of answering "unchanged".
    Django's admin runs each save and deletion in a transaction."""

    def productions_of(self, records) -> list[int]:
        """The ids of the productions whose pages show these records."""
        return list(records.values_list("project_id", flat=True))

    def _bump(self, project_ids) -> None:
        for project_id in sorted(set(project_ids) - {None}):
            bump_revision(project_id)

    def _one(self, obj):
        return type(obj)._default_manager.filter(pk=obj.pk)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._bump(self.productions_of(self._one(obj)))

    def delete_model(self, request, obj):
        project_ids = self.productions_of(self._one(obj))
        super().delete_model(request, obj)
        self._bump(project_ids)

    def delete_queryset(self, request, queryset):
        project_ids = self.productions_of(queryset)
        super().delete_queryset(request, queryset)
        self._bump(project_ids)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "project"
    extra = 0
    autocomplete_fields = ["user", "reports_to"]

    def get_queryset(self, request):
        # Each row prints the member (Membership.__str__): fetch what it names.
        return super().get_queryset(request).with_people().select_related("project")


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0


@admin.register(Project)
class ProjectAdmin(ShownOnPagesAdmin):
    list_display = ["code", "name", "kind", "starts_on", "ends_on", "archived"]
    list_filter = ["kind", "archived"]
    search_fields = ["code", "name"]
    inlines = [EpisodeInline, MembershipInline]

    def productions_of(self, records) -> list[int]:
        return list(records.values_list("pk", flat=True))


@admin.register(Episode)
class EpisodeAdmin(ShownOnPagesAdmin):
    list_display = ["project", "number", "title", "air_date"]
    list_filter = ["project"]
    search_fields = ["title", "project__code"]


@admin.register(CrewRole)
class CrewRoleAdmin(ShownOnPagesAdmin):
    list_display = [
        "name",
        "project",
        "can_manage_crew",
        "can_assign",
        "can_approve",
        "can_be_assigned",
    ]
    list_filter = ["can_manage_crew", "can_assign", "can_approve", "project"]
    search_fields = ["name"]

    def productions_of(self, records) -> list[int]:
        # A standard role (no production) is every production's that uses it.
        used = Membership.objects.filter(role__in=records)
        return super().productions_of(records) + list(
            used.values_list("project_id", flat=True)
        )


@admin.register(Membership)
class MembershipAdmin(ShownOnPagesAdmin):
    list_display = ["user", "project", "role", "reports_to", "joined_at"]
    list_filter = ["project", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "project", "role", "reports_to"]
    autocomplete_fields = ["user", "reports_to"]


class TaskAdminForm(forms.ModelForm):
    """The admin's task form: a booking slot on a day in Slate's range on its
    production's clock, as the task form checks it."""

    def clean(self):
        data = super().clean()
        project = data.get("project")
        for name in ("starts_at", "ends_at"):
            if project and data.get(name):
                try:
                    dates.validate_moment_in(data[name], project.tzinfo)
                except ValidationError as error:
                    self.add_error(name, error)
        return data


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    readonly_fields = ["author", "created_at"]

    def get_queryset(self, request):
        # Each row prints the comment (Comment.__str__): fetch what it names.
        return super().get_queryset(request).select_related("author", "task")


@admin.register(Task)
class TaskAdmin(DrillDownAdmin, ShownOnPagesAdmin):
    form = TaskAdminForm
    list_display = [
        "key",
        "title",
        "kind",
        "status",
        "priority",
        "assignee",
        "due_date",
        "archived",
    ]
    list_filter = ["project", "status", "kind", "priority", "archived"]
    search_fields = ["key", "title", "description", "guest", "location"]
    list_select_related = ["project", "assignee"]
    date_hierarchy = "due_date"
    readonly_fields = ["key", "number", "version", "created_at", "updated_at"]
    autocomplete_fields = ["assignee", "reviewer", "created_by"]
    inlines = [CommentInline]

    def save_model(self, request, obj, form, change):
        # A form opened on the task before this edit is refused as stale,
        # as after any other edit (services.task_update), not saved over it.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


class TallyAdmin(admin.ModelAdmin):
    """The database's own counts of tasks (kept by triggers, migrations 0013
    and 0015): to read, never to edit, or the pages would count wrong."""

    search_fields = ["project__code"]
    list_select_related = ["project"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskTally)
class TaskTallyAdmin(TallyAdmin):
    list_display = ["project", "status", "assignee_id", "reviewer_id", "tasks"]
    list_filter = ["status"]


@admin.register(DueTally)
class DueTallyAdmin(TallyAdmin):
    list_display = ["project", "due_date", "assignee_id", "tasks"]


@admin.register(Comment)
class CommentAdmin(ShownOnPagesAdmin):
    list_display = ["task", "author", "created_at"]
    search_fields = ["body", "task__key"]
    list_select_related = ["task", "author"]

    def productions_of(self, records) -> list[int]:
        return list(records.values_list("task__project_id", flat=True))


@admin.register(Activity)
class ActivityAdmin(DrillDownAdmin):
    list_display = ["created_at", "task_key", "actor", "verb", "field", "new_value"]
    list_filter = ["verb"]
    search_fields = ["task_key", "note"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "summary", "read_at"]
    list_filter = ["kind"]
    search_fields = ["summary", "recipient__username"]
    list_select_related = ["recipient"]
    autocomplete_fields = ["recipient", "actor", "task"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    """Whose daily digest went out on which day; delete one to send it again."""

    list_display = ["day", "user", "sent_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "day"
    autocomplete_fields = ["user"]


class RunOfShowLineInline(admin.TabularInline):
    model = RunOfShowLine
    extra = 0
    autocomplete_fields = ["assignee", "reviewer"]


@admin.register(RunOfShow)
class RunOfShowAdmin(admin.ModelAdmin):
    list_display = ["name", "project"]
    list_filter = ["project"]
    search_fields = ["name", "project__code"]
    list_select_related = ["project"]
    inlines = [RunOfShowLineInline]


@admin.register(RunOfShowLine)
class RunOfShowLineAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "kind", "days_before", "time"]
    list_filter = ["kind"]
    search_fields = ["title", "template__name", "template__project__code"]
    list_select_related = ["template"]
    autocomplete_fields = ["assignee", "reviewer"]
