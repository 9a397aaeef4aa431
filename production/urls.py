from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from production.converters import ProjectCodeConverter, TaskKeyConverter
from production.forms import LoginForm
from production.views import (
    archive,
    board,
    calendar,
    crew,
    episodes,
    errors,
    live,
    my_work,
    notifications,
    profile,
    projects,
    task_list,
    tasks,
)

handler404 = errors.not_found

register_converter(ProjectCodeConverter, "code")
register_converter(TaskKeyConverter, "key")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", my_work.my_work, name="my-work"),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<code:code>/", board.board, name="project-board"),
    path("projects/<code:code>/more/", board.board_more, name="board-more"),
    path(
        "projects/<code:code>/archive/",
        projects.project_archive,
        name="project-archive",
    ),
    path("projects/<code:code>/tasks/", task_list.task_list, name="task-list"),
    path(
        "projects/<code:code>/archived/",
        archive.archived_tasks,
        name="archived-tasks",
    ),
    path("projects/<code:code>/tasks/bulk/", task_list.task_bulk, name="task-bulk"),
    path("projects/<code:code>/tasks/new/", tasks.task_create, name="task-create"),
    path("projects/<code:code>/crew/", crew.crew, name="project-crew"),
    path(
        "projects/<code:code>/crew/<int:pk>/",
        crew.crew_member,
        name="crew-member",
    ),
    path(
        "projects/<code:code>/crew/<int:pk>/remove/",
        crew.crew_remove,
        name="crew-remove",
    ),
    path("projects/<code:code>/crew/leave/", crew.crew_leave, name="crew-leave"),
    path(
        "projects/<code:code>/crew/people/",
        crew.crew_search,
        name="crew-search",
    ),
    path(
        "projects/<code:code>/calendar/",
        calendar.project_calendar,
        name="project-calendar",
    ),
    path("projects/<code:code>/episodes/", episodes.episode_list, name="episode-list"),
    path(
        "projects/<code:code>/episodes/new/",
        episodes.episode_create,
        name="episode-create",
    ),
    path(
        "projects/<code:code>/episodes/<int:pk>/",
        episodes.episode_detail,
        name="episode-detail",
    ),
    path(
        "projects/<code:code>/episodes/<int:pk>/edit/",
        episodes.episode_edit,
        name="episode-edit",
    ),
    path(
        "projects/<code:code>/episodes/<int:pk>/apply/",
        episodes.episode_apply,
        name="episode-apply",
    ),
    path(
        "projects/<code:code>/run-of-show/",
        episodes.run_of_show_list,
        name="run-of-show-list",
    ),
    path(
        "projects/<code:code>/run-of-show/<int:pk>/",
        episodes.run_of_show_detail,
        name="run-of-show-detail",
    ),
    path(
        "projects/<code:code>/run-of-show/<int:pk>/lines/<int:line_pk>/",
        episodes.run_of_show_line,
        name="run-of-show-line",
    ),
    path(
        "projects/<code:code>/run-of-show/<int:pk>/lines/<int:line_pk>/remove/",
        episodes.run_of_show_line_remove,
        name="run-of-show-line-remove",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/bell/", live.bell, name="notification-bell"),
    path(
        "notifications/read/",
        notifications.notification_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path("profile/", profile.profile, name="profile"),
    path("calendar/", calendar.my_calendar, name="my-calendar"),
    path("calendar/token/", calendar.feed_token, name="calendar-token"),
    path("calendar/feed/<str:token>.ics", calendar.feed, name="calendar-feed"),
    path("tasks/<key:key>/", tasks.task_detail, name="task-detail"),
    path("tasks/<key:key>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<key:key>/move/", tasks.task_move, name="task-move"),
    path("tasks/<key:key>/comments/", tasks.task_comment, name="task-comment"),
    path("tasks/<key:key>/archive/", tasks.task_archive, name="task-archive"),
    path("tasks/<key:key>/restore/", archive.task_restore, name="task-restore"),
]
