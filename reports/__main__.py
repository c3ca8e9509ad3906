"""``python -m reports …`` → :func:`reports.cli.main`."""
import sys

from .cli import main

sys.exit(main())
