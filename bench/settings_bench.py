"""Settings for bench/api_throughput.py: Amparo's, plus bare Django views to compare with."""

from amparo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
