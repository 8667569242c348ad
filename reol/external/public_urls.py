from django.urls import path

from . import views_databases, views_lending, views_patron

urlpatterns = [
    path("borrow/", views_patron.ask, name="external-ask"),
    path("borrow/mine/", views_patron.mine, name="external-mine"),
    path("licences/<int:pk>/open/", views_patron.open_licence, name="external-open"),
    path("databases/", views_databases.reader_list, name="external-reader-databases"),
    path("iso18626/", views_lending.endpoint, name="external-iso18626"),
]
