from django.urls import path

from portal.exports import views

app_name = "exports"

urlpatterns = [
    path("verwaltung/exporte/<int:pk>/", views.status, name="status"),
    path("verwaltung/exporte/<int:pk>/stand/", views.progress, name="progress"),
    path("verwaltung/exporte/<int:pk>/datei/", views.download, name="download"),
]
