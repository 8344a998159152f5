"""``python -m aequa.cli``: the same as the ``aequa`` command."""

import sys

from aequa.cli import main

sys.exit(main())
