from django.urls import path

from . import request_views, views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("neu/", views.start, name="start"),
    path("neu/<int:number>/", views.start, name="start_for_cohort"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("<int:pk>/pruefen/", views.review, name="review"),
    path("<int:pk>/eingegangen/", views.submitted, name="submitted"),
    path("<int:pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("<int:pk>/neu-bewerben/", views.apply_again, name="apply_again"),
    path("<int:pk>/platz/", views.offer, name="offer"),
    path("<int:pk>/schreiben/", views.endorsement, name="endorsement"),
    path("<int:pk>/pdf/", views.submission_pdf, name="pdf"),
    path("rueckfrage/<int:pk>/", request_views.answer, name="answer_request"),
]
