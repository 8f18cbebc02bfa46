from django.urls import path

from . import views

app_name = "modules"

urlpatterns = [
    path("durchgaenge/", views.cohort_archive, name="cohort_archive"),
    path("kurs/", views.participant_dashboard, name="dashboard"),
    path("kurs/kalender.ics", views.calendar_file, name="calendar"),
    path("kurs/material/<int:pk>/", views.material_download, name="material"),
    path("kurs/modul/<int:module_pk>/abgabe/", views.task_upload, name="task_upload"),
    path("kurs/abgabe/<int:pk>/datei/", views.submission_download, name="submission_file"),
    path("koordination/", views.coordination, name="coordination"),
    path("koordination/<int:pk>/", views.progress_matrix, name="progress"),
    path("koordination/<int:pk>/fortschritt.csv", views.progress_csv, name="progress_csv"),
    path("koordination/<int:pk>/termine/", views.schedule, name="schedule"),
    path("koordination/sitzung/<int:pk>/", views.session_attendance, name="attendance"),
    path("koordination/abgabe/<int:pk>/", views.review_submission, name="review_submission"),
]
