#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obcms.settings")
    from obcms.env import stop_on_problems

    # Malformed values stop every command. Missing production secrets stop only `release` (the
    # one command that prepares serving), so the build's collectstatic needs none.
    stop_on_problems(serving=sys.argv[1:2] == ["release"])

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
