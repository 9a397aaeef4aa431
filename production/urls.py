from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from production.views import home

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", home.my_work, name="my-work"),
]
