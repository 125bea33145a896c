from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "amparo.flows"
    label = "flows"
