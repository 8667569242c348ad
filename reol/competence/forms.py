"""Forms of the competence pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import ManyLinesField, OneLineField
from reol.core.models import Municipality, School, User

from .models import CompetenceArea, NetworkLibrary, Project, Workshop
from .models.mapping import LEVELS


def _date() -> forms.DateInput:
    return forms.DateInput({"type": "date"}, format="%Y-%m-%d")


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MunicipalityForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )


class LibraryForm(forms.Form):
    name = OneLineField(label=_("Library"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=NetworkLibrary.Kind.choices)


class StaffForm(forms.Form):
    """Someone who works at a member library that is not a school (by their username)."""

    username = OneLineField(label=_("Username"), max_length=150)
    library = forms.ModelChoiceField(label=_("Library"), queryset=NetworkLibrary.objects.none())
    title = OneLineField(label=_("Job title"), max_length=100, required=False)
    is_leader = forms.BooleanField(label=_("Leads the library"), required=False)

    def __init__(self, *args: Any, network: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = network.libraries.all()  # type: ignore[attr-defined]

    def clean_username(self) -> User:
        person = User.objects.filter(username=self.cleaned_data["username"], is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("Nobody has this username."))
        return person


class AreaForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_da = OneLineField(label=_("Name in Danish"), max_length=120)
    name_nb = OneLineField(label=_("Name in Norwegian"), max_length=120)
    name_en = OneLineField(label=_("Name in English"), max_length=120)


class SurveyForm(forms.Form):
    title = OneLineField(label=_("Title of the survey"), max_length=200)


class AnswerForm(forms.Form):
    """One row per area (level now, level needed, a wish), then wishes and free text."""

    wishes = ManyLinesField(
        label=_("What would you like to learn?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    comment = ManyLinesField(
        label=_("Anything else"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        areas: list[CompetenceArea],
        workplaces: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.fields["workplace"] = forms.ChoiceField(
            label=_("I answer as staff of"), choices=workplaces
        )
        for area in areas:
            self.fields[f"level-{area.pk}"] = forms.TypedChoiceField(
                label=_("%(area)s: my level now") % {"area": area.name}, choices=LEVELS, coerce=int
            )
            self.fields[f"needed-{area.pk}"] = forms.TypedChoiceField(
                label=_("%(area)s: the level my work needs") % {"area": area.name},
                choices=LEVELS,
                coerce=int,
            )
            self.fields[f"wish-{area.pk}"] = forms.BooleanField(
                label=_("%(area)s: I want a course") % {"area": area.name}, required=False
            )

    def rows(self) -> list[tuple[CompetenceArea, Any, Any, Any]]:
        return [
            (a, self[f"level-{a.pk}"], self[f"needed-{a.pk}"], self[f"wish-{a.pk}"])
            for a in self.areas
        ]


class CourseForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    description = ManyLinesField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    area = forms.ModelChoiceField(
        label=_("Competence area"), queryset=CompetenceArea.objects.none(), required=False
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500, initial=20)

    def __init__(self, *args: Any, network: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = network.areas.all()  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    starts = forms.DateTimeField(label=_("Starts"), widget=_datetime())
    ends = forms.DateTimeField(label=_("Ends"), widget=_datetime())
    place = OneLineField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")


class MaterialForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    text = ManyLinesField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = OneLineField(label=_("Task"), max_length=200)
    instructions = ManyLinesField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlacementForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    learn = ManyLinesField(
        label=_("What one can learn here"), widget=forms.Textarea(attrs={"rows": 3})
    )
    available_from = forms.DateField(label=_("Available from"), widget=_date())
    available_to = forms.DateField(label=_("Available to"), widget=_date())

    def __init__(self, *args: Any, workplaces: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workplace"] = forms.ChoiceField(label=_("Library"), choices=workplaces)


class WorkshopForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Workshop.Kind.choices)
    title = OneLineField(label=_("Title"), max_length=200)
    committee = OneLineField(label=_("Subject committee or team"), max_length=100, required=False)
    subject = OneLineField(label=_("Subject"), max_length=100, required=False)
    held_on = forms.DateField(label=_("Held on"), widget=_date())
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_value=999, decimal_places=1, initial=0
    )
    participants: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Participants by name"), queryset=User.objects.none(), required=False
    )
    attendees = forms.IntegerField(
        label=_("Participants in all"),
        min_value=0,
        initial=0,
        help_text=_("Including those not named above."),
    )
    minutes = ManyLinesField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = ManyLinesField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    text = OneLineField(label=_("Follow-up task"), max_length=300)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False
    )
    due = forms.DateField(label=_("By"), required=False, widget=_date())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    purpose = ManyLinesField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    themes = OneLineField(label=_("Themes"), max_length=300, required=False)
    partners = OneLineField(
        label=_("Partners"),
        max_length=300,
        required=False,
        help_text=_("For example the public library."),
    )
    budget = forms.DecimalField(
        label=_("Budget"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    application = ManyLinesField(
        label=_("Application text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, workplaces: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workplace"] = forms.ChoiceField(label=_("Library"), choices=workplaces)


class MilestoneForm(forms.Form):
    title = OneLineField(label=_("Milestone"), max_length=200)
    due = forms.DateField(label=_("By"), widget=_date())


class ProjectTaskForm(forms.Form):
    title = OneLineField(label=_("Task"), max_length=200)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False
    )
    due = forms.DateField(label=_("By"), required=False, widget=_date())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices)
    final_report = ManyLinesField(
        label=_("Final report"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class RecordsFilterForm(forms.Form):
    """Which staff's training records a leader looks at: a school, a period, a team, a subject."""

    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All")
    )
    starts = forms.DateField(label=_("From"), required=False, widget=_date())
    ends = forms.DateField(label=_("To"), required=False, widget=_date())
    team = OneLineField(label=_("Team or committee"), max_length=100, required=False)
    subject = OneLineField(label=_("Subject"), max_length=100, required=False)

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class ShiftForm(forms.Form):
    person: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none()
    )
    day = forms.DateField(label=_("Day"), widget=_date())
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput({"type": "time"}))
    ends = forms.TimeField(label=_("To"), widget=forms.TimeInput({"type": "time"}))
    task = OneLineField(label=_("Task"), max_length=120, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
