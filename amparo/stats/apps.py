from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "amparo.stats"
    label = "stats"

    def ready(self) -> None:
        # Each app declares its indicators in its own `indicators.py`; importing them
        # registers (and validates) them, so a bad definition stops the start-up.
        from .registry import autodiscover

        autodiscover()
