from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "amparo.assistance"
    label = "assistance"
    verbose_name = "Assistance and consular services"

    def ready(self) -> None:
        from amparo.core.reference import register_loader

        from . import layouts  # noqa: F401 - registers the import layouts
        from .reference import load_contact_reasons

        register_loader("contact_reasons", load_contact_reasons)
