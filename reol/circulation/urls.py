from django.urls import path

from . import (
    views,
    views_class_sets,
    views_holds,
    views_notices,
    views_rules,
    views_stocktaking,
)

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
    path("class-sets/", views_class_sets.class_sets, name="circulation-class-sets"),
    path(
        "class-sets/return/", views_class_sets.class_set_return, name="circulation-class-set-return"
    ),
    path("rules/", views_rules.rules_page, name="circulation-rules"),
    path("rules/new/", views_rules.rule_edit, name="circulation-rule-new"),
    path("rules/adopt/", views_rules.rules_adopt, name="circulation-rules-adopt"),
    path("rules/<int:pk>/", views_rules.rule_edit, name="circulation-rule-edit"),
    path("rules/<int:pk>/delete/", views_rules.rule_delete, name="circulation-rule-delete"),
    path("notices/", views_notices.notices_page, name="circulation-notices"),
    path("notices/letters.pdf", views_notices.notice_letters, name="circulation-notice-letters"),
    path("notices/settings/", views_notices.notice_settings, name="circulation-notice-settings"),
    path("stocktaking/", views_stocktaking.stocktakes, name="circulation-stocktakes"),
    path("stocktaking/<int:pk>/", views_stocktaking.stocktake, name="circulation-stocktake"),
    path(
        "stocktaking/<int:pk>/report/",
        views_stocktaking.stocktake_report,
        name="circulation-stocktake-report",
    ),
    path(
        "stocktaking/<int:pk>/report.xlsx",
        views_stocktaking.stocktake_report_xlsx,
        name="circulation-stocktake-report-xlsx",
    ),
    path(
        "stocktaking/<int:pk>/report.csv",
        views_stocktaking.stocktake_report_csv,
        name="circulation-stocktake-report-csv",
    ),
]
