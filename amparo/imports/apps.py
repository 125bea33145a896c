from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "amparo.imports"
    label = "imports"
    verbose_name = "Imports"
