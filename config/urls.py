"""The portal's URLs: every app's pages under their German paths, and the admin."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from modules.views import home
from portal import views
from portal.accounts import views as account_views
from portal.privacy import views as privacy_views

# Staff sign in through the portal's login, which asks for the second factor; the admin's own
# password-only login form is never shown.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Smart City Manager:in – Verwaltung")
admin.site.site_title = _("Smart City Manager:in")
admin.site.index_title = _("Programmverwaltung")

# allauth answers its own rate limits with this view (looked up as ROOT_URLCONF.handler429).
handler429 = "portal.web.ratelimit.handler429"
# A database that is down or hangs answers 503 with the portal's page, anything else 500.
handler500 = "portal.ops.unavailable.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("konto/meine-daten/", privacy_views.my_data, name="my_data"),
    path("konto/meine-daten/export.zip", privacy_views.export_archive, name="my_data_export"),
    path("konto/loeschen/", privacy_views.delete_account, name="delete_account"),
    path("konto/einstellungen/", account_views.profile, name="profile"),
    path("konto/bestaetigung/", account_views.resend_confirmation, name="resend_confirmation"),
    path("konto/", include("allauth.urls")),
    path("bewerbung/", include("applications.urls")),
    path("", include("modules.urls")),
    path("", include("certificates.urls")),
    path("netzwerk/", include("community.urls")),
    path("", include("evaluation.urls")),
    path("", include("portal.exports.urls")),
    path("sprache/", views.set_language, name="set_language"),
    path("impressum/", TemplateView.as_view(template_name="portal/impressum.html"), name="imprint"),
    path("datenschutz/", TemplateView.as_view(template_name="portal/datenschutz.html"), name="privacy"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path(
        "leichte-sprache/",
        TemplateView.as_view(template_name="portal/leichte_sprache.html"),
        name="easy_language",
    ),
    path("gebaerdensprache/", views.sign_language, name="sign_language"),
    path("hilfe/", TemplateView.as_view(template_name="portal/hilfe.html"), name="help"),
    path(settings.ADMIN_URL, admin.site.urls),
]
