from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("auswertung/", views.dashboard, name="dashboard"),
    path("auswertung/export/<slug:dataset>.<slug:fmt>", views.export, name="export"),
    path("kurs/fragebogen/", views.questionnaires, name="questionnaires"),
    path("kurs/fragebogen/<int:module_pk>/", views.questionnaire, name="questionnaire"),
]
