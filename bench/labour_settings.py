"""Settings for bench/labour_public_check.py: Amparo's, plus the bare view to compare with."""

from amparo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.labour_urls"
