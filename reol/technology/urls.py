from django.urls import path

from . import views, views_charges, views_licences, views_orders, views_returns

urlpatterns = [
    path("", views.home, name="technology-home"),
    path("devices/<int:pk>/", views.device, name="technology-device"),
    path("import/", views.import_page, name="technology-import"),
    path("class/", views.pick_class, name="technology-pick-class"),
    path("class/<int:pk>/assign/", views.assign, name="technology-assign"),
    path("class/<int:pk>/count/", views.collect, name="technology-collect"),
    path("swap/", views.swap, name="technology-swap"),
    path("plan/", views.plan, name="technology-plan"),
    path("licences/", views_licences.licences, name="technology-licences"),
    path("lost.csv", views.lost_export, name="technology-lost-export"),
    path("work-orders/", views_orders.orders, name="technology-orders"),
    path(
        "returns/<int:loan_id>/accessories/",
        views_returns.accessories,
        name="technology-accessories",
    ),
    path("devices/<int:pk>/charge/", views_returns.charge, name="technology-charge"),
    path("charges/", views_returns.charges, name="technology-charges"),
    path("charges/open/", views_charges.open_charges, name="technology-open-charges"),
    path("charges/open.xlsx", views_charges.open_charges_xlsx, name="technology-open-charges-xlsx"),
    path("charges/<int:pk>/pay/", views_charges.pay, name="technology-charge-pay"),
    path("charges/<int:pk>/waive/", views_charges.waive, name="technology-charge-waive"),
    path("work-orders/<int:pk>/", views_orders.order, name="technology-order"),
]
