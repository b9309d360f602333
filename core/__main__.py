"""``python -m arignote``: the command line (see arignote.cli)."""

import sys

from arignote.cli import main

if __name__ == "__main__":
    sys.exit(main())
