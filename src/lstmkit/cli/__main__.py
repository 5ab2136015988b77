"""`python -m lstmkit.cli ...`: the same as the `lstmkit` command."""

import sys

from .entry import main

sys.exit(main())
