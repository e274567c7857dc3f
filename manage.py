#!/usr/bin/env python
"""Django's command line for the web application (web/): migrate, runserver, and the
round's commands (load_demo, lock_deadlines, export_round, import_round)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
