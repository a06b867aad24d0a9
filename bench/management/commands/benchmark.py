"""Measure the app at scale, on generated load data: see bench/ and docs/PERFORMANCE.md."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import loadtest, measure, report


class Command(BaseCommand):
    help = (
        "Measure server time (p50, p95) and queries of the main pages and operations beside two "
        "baselines, check their query plans, and load-test the questionnaire page under gunicorn. "
        "Needs data from generate_load_data; run with DJANGO_SETTINGS_MODULE=bench.settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--iterations", type=int, default=200, help="Timed calls per page.")
        parser.add_argument(
            "--close-iterations", type=int, default=30, help="Cycles closed and timed."
        )
        parser.add_argument("--place", help="Slug of the generated place to read (default: first).")
        parser.add_argument(
            "--load-seconds", type=int, default=30, help="Load test time of each line, in all."
        )
        parser.add_argument(
            "--load-rounds", type=int, default=10, help="Windows each line's time is cut into."
        )
        parser.add_argument("--connections", type=int, default=16, help="Load test connections.")
        parser.add_argument(
            "--workers",
            type=int,
            help="gunicorn workers (default: as gunicorn.conf.py sets them for this machine).",
        )
        parser.add_argument("--no-load-test", action="store_true", help="Skip gunicorn and wrk.")

    def handle(self, *args, **options):
        write = self.stdout.write
        if settings.DEBUG:
            write(self.style.WARNING("DEBUG is on: use DJANGO_SETTINGS_MODULE=bench.settings."))
        write(f"Benchmark run {dt.datetime.now():%Y-%m-%d %H:%M}")
        for line in report.machine():
            write(f"  {line}")
        write(f"  data: {report.data_size()}")
        try:
            setup = measure.prepare(
                iterations=options["iterations"],
                close_iterations=options["close_iterations"],
                place_slug=options["place"],
            )
        except measure.BenchmarkError as error:
            measure.cleanup()
            raise CommandError(str(error)) from error
        try:
            write(f"  dashboard of {setup.place.slug}, cycle {setup.cycle.pk} ({setup.cycle})")
            # The collector as a gunicorn worker has it (gunicorn.conf.py), fixtures frozen too.
            loadtest.gunicorn_conf()["tune_gc"]()
            figures = measure.run(setup, iterations=options["iterations"])
            write("")
            write(
                f"Server time in process ({options['iterations']} timed requests each, "
                f"{options['close_iterations']} cycles closed):"
            )
            for line in report.table(figures):
                write(line)
            write("")
            write("Query plans (EXPLAIN of every query touching answers or responses):")
            for line in report.explain_lines(figures) or ["  not checked: not PostgreSQL"]:
                write(line)
            load = None
            if not options["no_load_test"]:
                write("")
                workers = options["workers"] or loadtest.configured_workers()
                write(
                    f"Load test: gunicorn ({workers} sync workers) on 127.0.0.1, "
                    f"{options['connections']} connections, {options['load_seconds']} s each "
                    f"in {options['load_rounds']} windows taken in turn:"
                )
                load = loadtest.run(
                    setup.questionnaire_path,
                    seconds=options["load_seconds"],
                    connections=options["connections"],
                    workers=workers,
                    rounds=options["load_rounds"],
                )
                for line in report.load_lines(load):
                    write(line)
        finally:
            measure.cleanup()

        write("")
        write("Targets:")
        for check in report.checks(figures, load, setup.places):
            verdict = self.style.SUCCESS("met   ") if check.met else self.style.ERROR("MISSED")
            write(f"  {verdict} {check.target}: {check.measured}")
