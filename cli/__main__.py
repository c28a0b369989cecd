"""``python -m cli``: the same as the ``sozialraum`` command."""

from cli.main import main

raise SystemExit(main())
