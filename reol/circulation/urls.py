from django.urls import path

from . import views, views_holds

urlpatterns = [
    path("", views.desk, name="circulation-desk"),
    path("hold-shelf/", views.hold_shelf, name="circulation-hold-shelf"),
    path("holds/<int:pk>/cancel/", views_holds.hold_cancel, name="circulation-hold-cancel"),
    path("holds/<int:pk>/slip.pdf", views_holds.hold_slip, name="circulation-hold-slip"),
    path("records/<int:pk>/hold/", views_holds.place_hold_for, name="circulation-hold-place"),
    path(
        "transit/<str:barcode>/slip.pdf",
        views_holds.transit_slip,
        name="circulation-transit-slip",
    ),
    path("receipt/", views.receipt, name="circulation-receipt"),
    path("class-sets/", views.class_sets, name="circulation-class-sets"),
    path("class-sets/return/", views.class_set_return, name="circulation-class-set-return"),
    path("rules/", views.rules_page, name="circulation-rules"),
    path("rules/new/", views.rule_edit, name="circulation-rule-new"),
    path("rules/adopt/", views.rules_adopt, name="circulation-rules-adopt"),
    path("rules/<int:pk>/", views.rule_edit, name="circulation-rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="circulation-rule-delete"),
    path("notices/", views.notices_page, name="circulation-notices"),
    path("notices/letters.pdf", views.notice_letters, name="circulation-notice-letters"),
    path("notices/settings/", views.notice_settings, name="circulation-notice-settings"),
    path("stocktaking/", views.stocktakes, name="circulation-stocktakes"),
    path("stocktaking/<int:pk>/", views.stocktake, name="circulation-stocktake"),
    path(
        "stocktaking/<int:pk>/report/",
        views.stocktake_report,
        name="circulation-stocktake-report",
    ),
    path(
        "stocktaking/<int:pk>/report.xlsx",
        views.stocktake_report_xlsx,
        name="circulation-stocktake-report-xlsx",
    ),
    path(
        "stocktaking/<int:pk>/report.csv",
        views.stocktake_report_csv,
        name="circulation-stocktake-report-csv",
    ),
]
