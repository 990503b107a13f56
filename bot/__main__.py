"""Let `python -m bot` work like the `bondgenoten` command."""

import sys

from bot.cli import main

sys.exit(main())
