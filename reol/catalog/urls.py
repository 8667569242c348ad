from django.urls import path

from . import runs_views, tools_views, views

urlpatterns = [
    path("", views.records, name="catalog-records"),
    path("records/duplicates/", views.possible_duplicates, name="catalog-duplicates"),
    path("records/<int:pk>/", views.record, name="catalog-record"),
    path("records/<int:pk>/edit/", views.record_edit, name="catalog-record-edit"),
    path("records/<int:pk>/marc/", views.record_marc, name="catalog-record-marc"),
    path(
        "records/<int:pk>/marc.<str:fmt>",
        views.record_marc_download,
        name="catalog-record-marc-file",
    ),
    path("records/<int:pk>/copies/", views.items_add, name="catalog-items-add"),
    path("records/<int:pk>/merge/", views.record_merge, name="catalog-record-merge"),
    path("copies/<int:pk>/status/", views.item_status, name="catalog-item-status"),
    path("isbn/", tools_views.add_by_isbn, name="catalog-add-isbn"),
    path("isbn/copy/", tools_views.copy_candidate, name="catalog-copy-candidate"),
    path("new/", tools_views.record_new, name="catalog-record-new"),
    path("import/", tools_views.import_marc_page, name="catalog-import"),
    path("import/<int:pk>/", tools_views.import_job, name="catalog-import-job"),
    path("labels/", runs_views.labels_page, name="catalog-labels"),
    path("labels/<int:pk>/", runs_views.label_run, name="catalog-label-run"),
    path("labels/<int:pk>/pdf/", runs_views.label_run_pdf, name="catalog-label-run-pdf"),
    path("search-index/", runs_views.search_index, name="catalog-search-index"),
    path("search-index/rebuild/", runs_views.search_reindex, name="catalog-search-reindex"),
    path("barcodes/", tools_views.barcode_format_page, name="catalog-barcode-format"),
]
