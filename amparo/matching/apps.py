from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "amparo.matching"
    label = "matching"
    verbose_name = "Person matching"
