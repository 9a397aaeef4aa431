"""Forms: each page's input, validated before a service writes it."""

from django import forms
from django.db.models import Q

from production.models import CrewRole, Membership, Project, User


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "code", "kind", "description", "starts_on", "ends_on", "time_zone"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class MembershipForm(forms.ModelForm):
    """Add someone to a crew (by username) or change their role."""

    user = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Their Slate username.",
        error_messages={"invalid_choice": "There is no Slate user by that name."},
    )

    class Meta:
        model = Membership
        fields = ["user", "role", "reports_to"]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        # The standard roles, and any this production defined for itself.
        self.fields["role"].queryset = CrewRole.objects.filter(
            Q(project__isnull=True) | Q(project=project)
        )
        self.fields["reports_to"].queryset = User.objects.filter(
            memberships__project=project
        )
        if self.instance.pk:
            del self.fields["user"]

