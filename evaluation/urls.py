from django.urls import path

from . import panel_views, views, wave_views

app_name = "evaluation"

urlpatterns = [
    path("auswertung/", views.dashboard, name="dashboard"),
    path("auswertung/export/<slug:dataset>.<slug:fmt>", views.export, name="export"),
    path("kurs/fragebogen/", views.questionnaires, name="questionnaires"),
    path("kurs/fragebogen/<int:module_pk>/", views.questionnaire, name="questionnaire"),
    path("befragungen/", wave_views.surveys, name="surveys"),
    path("befragungen/<int:pk>/", wave_views.survey, name="survey"),
    path("befragungen/abmelden/<str:token>/", wave_views.opt_out, name="opt_out"),
    path(
        "befragungen/programm/<int:programme_pk>/keine-einladungen/",
        wave_views.stop_invitations,
        name="stop_invitations",
    ),
    path("befragungen/programm/<int:programme_pk>/widerrufen/", wave_views.withdraw, name="withdraw"),
    path("auswertung/wellen/", panel_views.waves_dashboard, name="waves"),
    path("auswertung/wellen/export.zip", panel_views.waves_export, name="waves_export"),
]
