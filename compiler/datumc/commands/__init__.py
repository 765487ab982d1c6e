"""One module per subcommand; each exposes an Args dataclass and run(args, console) -> int."""
