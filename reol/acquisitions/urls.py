from django.urls import path

from . import views, views_reconsideration, views_selection

urlpatterns = [
    path("", views.home, name="acquisitions-home"),
    path("funds/new/", views.fund_new, name="acquisitions-fund-new"),
    path("funds/<int:pk>/", views.fund_detail, name="acquisitions-fund"),
    path("vendors/", views.vendors, name="acquisitions-vendors"),
    path("orders/new/", views.order_new, name="acquisitions-order-new"),
    path("orders/<int:pk>/", views.order_detail, name="acquisitions-order"),
    path("orders/<int:pk>/send/", views.order_send, name="acquisitions-order-send"),
    path("orders/<int:pk>/order.csv", views.order_file, name="acquisitions-order-file"),
    path("orders/<int:pk>/order.edi", views.order_edifact, name="acquisitions-order-edifact"),
    path("orders/<int:pk>/marc/", views.order_marc, name="acquisitions-order-marc"),
    path("orders/<int:pk>/invoice/", views.invoice_new, name="acquisitions-invoice"),
    path("orders/<int:pk>/labels/<str:batch>/", views.batch_labels, name="acquisitions-labels"),
    path("lines/<int:pk>/<str:what>/", views.line_action, name="acquisitions-line"),
    path("report/", views.report, name="acquisitions-report"),
    path("suggestions/", views.suggestion_list, name="acquisitions-suggestions"),
    path("suggestions/<int:pk>/", views.suggestion_decide, name="acquisitions-suggestion"),
]
urlpatterns += [
    path("selection/", views_selection.lists, name="acquisitions-selections"),
    path("selection/<int:pk>/", views_selection.detail, name="acquisitions-selection"),
    path("selection/<int:pk>/act/", views_selection.act, name="acquisitions-selection-act"),
]
urlpatterns += [
    path("selection/", views_selection.lists, name="acquisitions-selections"),
    path("selection/<int:pk>/", views_selection.detail, name="acquisitions-selection"),
    path("selection/<int:pk>/act/", views_selection.act, name="acquisitions-selection-act"),
]
urlpatterns += [
    path(
        "reconsideration/", views_reconsideration.staff_list, name="acquisitions-reconsiderations"
    ),
    path(
        "reconsideration/<int:pk>/",
        views_reconsideration.staff_act,
        name="acquisitions-reconsideration",
    ),
]
