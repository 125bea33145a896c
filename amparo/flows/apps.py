from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "amparo.flows"
    label = "flows"
    verbose_name = "Migratory flows"

    def ready(self) -> None:
        from . import layouts  # noqa: F401 - registers the import layout of flow counts
