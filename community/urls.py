from django.urls import path

from . import project_views, views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("verzeichnis/", views.directory, name="directory"),
    path("verzeichnis/mein-eintrag/", views.entry_edit, name="entry_edit"),
    path("verzeichnis/mein-eintrag/entfernen/", views.entry_leave, name="entry_leave"),
    path("verzeichnis/<int:pk>/nachricht/", views.contact, name="contact"),
    path("projekte/", project_views.project_list, name="projects"),
    path("projekte/neu/", project_views.project_new, name="project_new"),
    path(
        "projekte/aus-aufgabe/<int:submission_pk>/", project_views.project_from_task, name="project_from_task"
    ),
    path("projekte/<int:pk>/", project_views.project_detail, name="project"),
    path("projekte/<int:pk>/bearbeiten/", project_views.project_edit, name="project_edit"),
    path("projekte/<int:pk>/vorschlagen/", project_views.project_propose, name="project_propose"),
    path("projekte/<int:pk>/zurueckziehen/", project_views.project_withdraw, name="project_withdraw"),
    path("projekte/<int:pk>/loeschen/", project_views.project_delete, name="project_delete"),
    path("projekte/<int:pk>/entscheiden/", project_views.project_decide, name="project_decide"),
    path("projekte/<int:pk>/dateien/<int:file_pk>/", project_views.project_file, name="project_file"),
    path("projekte/<int:pk>/oeffentlich/", project_views.public_project, name="public_project"),
    path("moderation/", project_views.moderation, name="moderation"),
    path("moderation/mitglieder/<int:user_pk>/sperre/", views.suspend, name="suspend"),
]
