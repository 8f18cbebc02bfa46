from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("zertifikat/pruefen/", views.verify, name="verify"),
    path("zertifikat/<int:pk>/pdf/", views.download, name="download"),
    path(
        "zertifikat/<int:pk>/nachweis.jwt", views.download_credential, {"fmt": "jwt"}, name="credential_jwt"
    ),
    path(
        "zertifikat/<int:pk>/nachweis.json",
        views.download_credential,
        {"fmt": "json"},
        name="credential_json",
    ),
    path("nachweis/aussteller/", views.ob_issuer, name="ob_issuer"),
    path("nachweis/schluessel.json", views.ob_jwks, name="ob_jwks"),
    path("nachweis/schluessel/<str:thumbprint>.json", views.ob_key, name="ob_key"),
    path("nachweis/status/", views.ob_status_list, name="ob_status_list"),
    path("nachweis/programm/<slug:slug>/", views.ob_achievement, name="ob_achievement"),
    path("zertifikat/<int:pk>/uebersetzung/", views.request_translation, name="request_translation"),
    path("zertifikat/<int:pk>/zweitschrift/", views.request_second_copy, name="request_second_copy"),
    path("koordination/<int:pk>/zertifikate/", views.cohort_certificates, name="cohort"),
    path("koordination/<int:pk>/zertifikate/ausstellen/", views.issue, name="issue"),
    path("koordination/<int:pk>/zertifikate/stand/", views.issuing_status, name="progress"),
    path("koordination/zertifikat/<int:pk>/widerrufen/", views.revoke_or_reissue, name="revoke"),
    path("koordination/zertifikat/<int:pk>/erneut/", views.start_again, name="start_again"),
]
