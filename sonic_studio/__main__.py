"""``python -m sonic_studio``: the desktop app; ``python -m sonic_studio cli …``: the scripting CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["cli"]:
        from .cli import main as cli_main

        return cli_main(args[1:])
    from .app import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
