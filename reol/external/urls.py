from django.urls import path

from . import views, views_databases, views_lending

urlpatterns = [
    path("", views.search, name="external-search"),
    path("beyond/", views.beyond, name="external-beyond"),
    path("catalogues/", views.targets, name="external-targets"),
    path("loans/", views.ill_list, name="external-ill"),
    path("loans/<int:pk>/", views.ill_detail, name="external-ill-detail"),
    path("loans/<int:pk>/form.pdf", views.ill_form, name="external-ill-form"),
    path("loans/<int:pk>/iso18626.xml", views.ill_iso, name="external-ill-iso"),
    path("loans/<int:pk>/<slug:action>/", views.ill_action, name="external-ill-action"),
    path("licences/", views.licence_list, name="external-licences"),
    path("databases/", views_databases.manage, name="external-databases"),
    path("databases/<int:pk>/remove/", views_databases.remove, name="external-database-remove"),
    path("lending/", views_lending.lending, name="external-lending"),
    path(
        "lending/partner/<int:pk>/<slug:state>/",
        views_lending.answer_partner,
        name="external-answer-partner",
    ),
    path(
        "lending/school/<int:pk>/<slug:step>/",
        views_lending.supply_sibling,
        name="external-supply-sibling",
    ),
    path("catalogues/<int:pk>/token/", views_lending.partner_token, name="external-partner-token"),
    path(
        "lending/messages/<int:pk>/retry/",
        views_lending.retry_message,
        name="external-retry-message",
    ),
]
