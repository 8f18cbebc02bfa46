from django.urls import path

from . import exchange_views, project_views, views

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
    path("materialien/", views.materials, name="materials"),
    path("materialien/<int:pk>/", views.material_download, name="material"),
    path("austausch/", exchange_views.thread_list, name="threads"),
    path("austausch/neu/", exchange_views.thread_new, name="thread_new"),
    path("austausch/wochenuebersicht/", exchange_views.digest_setting, name="digest"),
    path("austausch/abbestellen/<str:token>/", exchange_views.unsubscribe, name="unsubscribe"),
    path("austausch/<int:pk>/", exchange_views.thread_detail, name="thread"),
    path("austausch/<int:pk>/beobachten/", exchange_views.thread_watch, name="thread_watch"),
    path("austausch/<int:pk>/schliessen/", exchange_views.thread_lock, name="thread_lock"),
    path("austausch/beitraege/<int:pk>/melden/", exchange_views.post_report, name="post_report"),
    path("austausch/beitraege/<int:pk>/moderieren/", exchange_views.post_moderate, name="post_moderate"),
    path("mein-eindruck/", views.testimonial_edit, name="testimonial"),
    path("mein-eindruck/widerrufen/", views.testimonial_withdraw, name="testimonial_withdraw"),
    path("eindruecke/<int:pk>/entscheiden/", views.testimonial_decide, name="testimonial_decide"),
    path("kommunen/<int:pk>/", views.town, name="town"),
    path("moderation/", project_views.moderation, name="moderation"),
    path("moderation/mitglieder/<int:user_pk>/sperre/", views.suspend, name="suspend"),
]
