"""Spanish as written in Guatemala (CLDR es_GT): 1,234.5, not Spain's 1.234,5.

Django's own `es` formats follow Spain; the dates and times stay Django's."""

from amparo.core.localisation import number_symbols

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = number_symbols("es")
NUMBER_GROUPING = 3
