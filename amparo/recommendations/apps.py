from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "amparo.recommendations"
    label = "recommendations"

    def ready(self) -> None:
        from amparo.core.reference import register_loader

        register_loader("mechanisms", load_mechanisms)


def load_mechanisms() -> int:
    """The mechanisms list, reloaded where a test or a reset emptied the tables.

    The list lives in its data migration (the one place it is written); its loader works with
    the live app registry as well as a migration's historical one.
    """
    from importlib import import_module

    from django.apps import apps

    migration = import_module("amparo.recommendations.migrations.0002_mechanisms_search_index")
    migration.load(apps, None)
    return apps.get_model("recommendations", "Mechanism").objects.count()
