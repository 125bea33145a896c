from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "amparo.stats"
    label = "stats"
