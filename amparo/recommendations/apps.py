from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "amparo.recommendations"
    label = "recommendations"
