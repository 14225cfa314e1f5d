from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Invitation, JoinRequest, Member, Organization, User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("The name you would like others in the collaborative to see."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "name", "role", "organization", "message"]
        help_texts = {
            "message": _("Optional. Added to the email, in your words."),
            "organization": _("Needed for organization admins and staff."),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, inviter: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        orgs = Organization.objects.filter(collaborative_id=inviter.collaborative_id).order_by(
            "name"
        )
        role = cast(forms.ChoiceField, self.fields["role"])
        organization = cast(forms.ModelChoiceField, self.fields["organization"])
        if inviter.role == Member.Role.ORG_ADMIN:
            # An org admin always has an organization (member_org_role_needs_organization).
            orgs = orgs.filter(pk=inviter.organization_id)  # type: ignore[misc]
            role.choices = [
                (r.value, r.label) for r in (Member.Role.PROVIDER_STAFF, Member.Role.ORG_ADMIN)
            ]
            organization.initial = inviter.organization_id
            organization.empty_label = None
        organization.queryset = orgs
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class MemberRoleForm(forms.ModelForm):
    """Staff change a member's role, organization or active state."""

    class Meta:
        model = Member
        fields = ["role", "organization", "title", "is_active"]

    def __init__(self, *args, editor: Member, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.filter(collaborative_id=editor.collaborative_id).order_by(
            "name"
        )
        role = cast(forms.ChoiceField, self.fields["role"])
        organization = cast(forms.ModelChoiceField, self.fields["organization"])
        if editor.role == Member.Role.ORG_ADMIN:
            # An org admin always has an organization (member_org_role_needs_organization).
            orgs = orgs.filter(pk=editor.organization_id)  # type: ignore[misc]
            role.choices = [
                (r.value, r.label) for r in (Member.Role.PROVIDER_STAFF, Member.Role.ORG_ADMIN)
            ]
            organization.empty_label = None
        organization.queryset = orgs


class ProfileForm(forms.ModelForm):
    """A person's own settings in one collaborative: privacy and how to reach them."""

    class Meta:
        model = Member
        fields = [
            "title",
            "lived_experience",
            "lived_experience_visibility",
            "phone",
            "contact_by_email",
            "contact_by_text",
        ]
        widgets = {
            "lived_experience": forms.RadioSelect,
            "lived_experience_visibility": forms.RadioSelect,
        }


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "preferred_language"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}


class JoinRequestForm(forms.ModelForm):
    class Meta:
        model = JoinRequest
        fields = ["message", "organization_name"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}


class JoinDecisionForm(forms.Form):
    """Backbone staff answer a request: the role and organization to give, and a note."""

    role = forms.ChoiceField(label=_("Role"), choices=Member.Role.choices, initial="community")
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Needed for organization admins and staff."),
    )
    note = forms.CharField(
        label=_("Note to the person (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, collaborative, organization_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = Organization.objects.filter(collaborative=collaborative).order_by("name")
        if organization_choices is not None:
            # A list page renders one form per request: share one evaluated list of choices.
            field.choices = organization_choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") in Member.ORG_ROLES and not data.get("organization"):
            self.add_error("organization", _("This role needs an organization."))
        return data
