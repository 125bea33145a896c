from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "amparo.labour"
    label = "labour"
