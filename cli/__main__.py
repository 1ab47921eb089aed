"""``python -m cli``: the same as the ``synclusive`` command."""

import sys

from cli.main import console

sys.exit(console())
