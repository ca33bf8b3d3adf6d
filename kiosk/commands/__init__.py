"""One module per ``kiosk`` subcommand: each defines ``add_arguments(parser)`` and ``run(args) -> int``."""
