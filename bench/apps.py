from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Performance tooling: the load data generator and the benchmark (docs/PERFORMANCE.md).

    Installed for development and CI (betterway/settings.py, with DEBUG on) and by
    bench/settings.py; never in production, and never imported by the app itself."""

    name = "bench"
    verbose_name = "Benchmark"
