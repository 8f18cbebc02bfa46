from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("verzeichnis/", views.directory, name="directory"),
    path("verzeichnis/mein-eintrag/", views.entry_edit, name="entry_edit"),
    path("verzeichnis/mein-eintrag/entfernen/", views.entry_leave, name="entry_leave"),
    path("verzeichnis/<int:pk>/nachricht/", views.contact, name="contact"),
    path("moderation/mitglieder/<int:user_pk>/sperre/", views.suspend, name="suspend"),
]
