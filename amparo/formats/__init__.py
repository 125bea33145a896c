"""Django format modules: numbers written as the user's CLDR locale writes them (see
amparo/core/localisation.py). Only what differs from Django's own locale files is here."""
