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
from .pd import FollowUpTask, TaskBase, Workshop
from .projects import Milestone, Project, ProjectTask
from .schedule import ScheduleFeed, Shift
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
    "Milestone",
    "Network",
    "NetworkLibrary",
    "NetworkMunicipality",
    "NetworkRole",
    "Placement",
    "Post",
    "Project",
    "ProjectTask",
    "Reflection",
    "Registration",
    "ScheduleFeed",
    "Session",
    "ShadowingRequest",
    "Shift",
    "Survey",
    "SurveyResponse",
    "TaskBase",
    "Workshop",
]
