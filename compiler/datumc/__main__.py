"""`python -m datumc`."""

from datumc.cli import main

raise SystemExit(main())
