"""English numbers as CLDR writes them for the locale Amparo uses for English (en_US)."""

from amparo.core.localisation import number_symbols

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = number_symbols("en")
NUMBER_GROUPING = 3
