"""``python manage.py load_geography [--regions IX X XI XII | --all]``: the PSGC places.

Re-running updates names, parents, coordinates and census figures and never duplicates
(places are keyed by PSGC code)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from obcms.geography.loading import DEFAULT_REGIONS, load


class Command(BaseCommand):
    help = "Load regions, provinces, cities/municipalities and barangays from the PSGC fixture."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--regions",
            nargs="+",
            default=list(DEFAULT_REGIONS),
            help="Regions by short name or code (default: IX X XI XII).",
        )
        group.add_argument("--all", action="store_true", help="Every region of the country.")

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        self.verbosity = int(options["verbosity"])
        regions = None if options["all"] else options["regions"]
        try:
            counts = load(regions, progress=self.progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"geography: {summary} in the database ({time.monotonic() - started:.1f}s)"
            )
        )

    def progress(self, level: str, done: int, total: int) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {level}: {done}/{total}")
