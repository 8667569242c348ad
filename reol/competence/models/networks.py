"""Networks of libraries: a county or regional cooperation of municipalities and of libraries
that are not schools (public and county libraries), with its coordinators.

Invariants kept by the database: a municipality is in a network once, a library's name is
unique in its network, a person is staff of a library once, and a network role is one of the
roles ``reol.core.permissions.NETWORK_ROLE_PERMS`` knows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import Municipality


class Network(models.Model):
    class Kind(models.TextChoices):
        COUNTY = "county", _("county cooperation")
        REGIONAL = "regional", _("regional cooperation")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COUNTY)
    min_group = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=5,
        help_text=_("Aggregates of fewer answers than this are not shown."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_group__gte=3), name="network_min_group_3"),
            models.CheckConstraint(condition=~Q(name=""), name="network_name"),
        ]

    def __str__(self) -> str:
        return self.name


class NetworkMunicipality(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("member municipality")
        verbose_name_plural = _("member municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "municipality"], name="networkmunicipality_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} · {self.municipality}"


class NetworkLibrary(models.Model):
    """A member library that is not a school: it has staff, never patrons or loans in Reol."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("county library")
        PUBLIC = "public", _("public library")
        OTHER = "other", _("other library")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="libraries")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PUBLIC)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )

    class Meta:
        verbose_name = _("member library")
        verbose_name_plural = _("member libraries")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="networklibrary_name_once"),
            models.CheckConstraint(condition=~Q(name=""), name="networklibrary_name"),
        ]

    def __str__(self) -> str:
        return self.name


class LibraryStaff(models.Model):
    """A person working (or volunteering) at a member library that is not a school."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        VOLUNTEER = "volunteer", _("volunteer")

    library = models.ForeignKey(NetworkLibrary, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_posts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    is_leader = models.BooleanField(_("leads the library"), default=False)

    class Meta:
        verbose_name = _("library staff member")
        verbose_name_plural = _("library staff")
        constraints = [
            models.UniqueConstraint(fields=["library", "user"], name="librarystaff_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.library}"


class NetworkRole(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("network role")
        verbose_name_plural = _("network roles")
        constraints = [
            models.UniqueConstraint(fields=["network", "user", "role"], name="networkrole_once"),
            models.CheckConstraint(condition=Q(role__in=["coordinator"]), name="networkrole_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.network}"
