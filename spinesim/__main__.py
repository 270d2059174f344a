"""``python -m spinesim``: the command-line interface (see :mod:`spinesim.cli`)."""

import sys

from spinesim.cli import main

sys.exit(main())
