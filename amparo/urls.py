from django.contrib.auth import views as auth_views
from django.urls import include, path

from amparo.api import api
from amparo.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("language/", core_views.language_set, name="language_set"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/verify/", core_views.otp_verify, name="otp_verify"),
    path("audit/", core_views.audit_page, name="audit"),
    path("people/", include("amparo.people.urls")),
    path("cases/", include("amparo.cases.urls")),
    path("assistance/", include("amparo.assistance.urls")),
    path("imports/", include("amparo.imports.urls")),
    path("matching/", include("amparo.matching.urls")),
    path("tracing/", include("amparo.tracing.urls")),
    path("labour/", include("amparo.labour.urls")),
    path("flows/", include("amparo.flows.urls")),
    path("stats/", include("amparo.stats.urls")),
    path("recommendations/", include("amparo.recommendations.urls")),
    path("api/v1/", api.urls),
]

handler400 = "amparo.core.views.bad_request"
handler403 = "amparo.core.views.forbidden"
handler404 = "amparo.core.views.not_found"
handler500 = "amparo.core.views.server_error"
