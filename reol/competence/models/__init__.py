"""The competence app's data, one module per topic (each says which invariants it keeps)."""

from .courses import (
    ArenaTask,
    Attendance,
    Course,
    CourseFeed,
    Feedback,
    Material,
    Post,
    Reflection,
    Registration,
    Session,
)
from .mapping import AreaAnswer, CompetenceArea, Survey, SurveyResponse
from .networks import LibraryStaff, Network, NetworkLibrary, NetworkMunicipality, NetworkRole
from .pd import FollowUpTask, Workshop
from .shadowing import Placement, ShadowingRequest

__all__ = [
    "AreaAnswer",
    "ArenaTask",
    "Attendance",
    "CompetenceArea",
    "Course",
    "CourseFeed",
    "Feedback",
    "FollowUpTask",
    "LibraryStaff",
    "Material",
    "Network",
    "NetworkLibrary",
    "NetworkMunicipality",
    "NetworkRole",
    "Placement",
    "Post",
    "Reflection",
    "Registration",
    "Session",
    "ShadowingRequest",
    "Survey",
    "SurveyResponse",
    "Workshop",
]
