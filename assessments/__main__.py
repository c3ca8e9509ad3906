"""``python -m assessments …`` → :func:`assessments.cli.main`."""
import sys

from .cli import main

sys.exit(main())
