from django.urls import path

from .views import courses, networks, pd, projects, records, schedule, shadowing

urlpatterns = [
    path("", networks.home, name="competence-home"),
    path("networks/<int:pk>/", networks.network, name="competence-network"),
    path("surveys/<int:pk>/", networks.survey, name="competence-survey"),
    path("surveys/<int:pk>/analysis/", networks.analysis, name="competence-analysis"),
    path("surveys/<int:pk>/answers/", networks.answers_i_lead, name="competence-answers"),
    path("courses/<int:pk>/", courses.course, name="competence-course"),
    path("courses/<int:pk>/certificate.pdf", courses.certificate, name="competence-certificate"),
    path("courses/<int:pk>/programme.docx", courses.programme, name="competence-programme"),
    path("sessions/<int:pk>.ics", courses.session_ics, name="competence-session-ics"),
    path("calendar/", courses.calendar, name="competence-calendar"),
    path("networks/<int:pk>/shadowing/", shadowing.placements, name="competence-shadowing"),
    path("networks/<int:pk>/projects/", projects.portfolio, name="competence-portfolio"),
    path("projects/<int:pk>/", projects.project, name="competence-project"),
    path("projects/<int:pk>/export.pdf", projects.project_export, name="competence-project-export"),
    path(
        "projects/<int:pk>/export.docx",
        projects.project_export,
        {"kind": "docx"},
        name="competence-project-export-docx",
    ),
    path("workshops/", pd.workshops, name="competence-workshops"),
    path("records/", records.records, name="competence-records"),
    path(
        "records/<int:person>/certificates/<int:course>.pdf",
        records.certificate,
        name="competence-record-certificate",
    ),
    path("schedule/", schedule.week, name="competence-schedule"),
]
