from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "amparo.tracing"
    label = "tracing"
    verbose_name = "Missing migrants, unidentified remains and family tracing"
