"""The one writer: outputs planned against disk, hand-edit check, atomic rename, manifest.

The codes this stage emits are declared here, so the registry can name them without
loading the writer.
"""

from __future__ import annotations

from datumc.diagnostics import Code, Severity

HAND_EDITED = Code("DC020", "hand-edited-output", Severity.ERROR, """
A generated file was edited by hand since datumc wrote it.

Why: rebuilding would destroy the edit. datumc keeps the file and shows the diff.

Fix: move the change into the datums or datumc.toml, then `datumc build --force`
(the edited file is kept as <name>.bak).
""")


UNSAFE_DIR = Code("DC021", "unsafe-output-dir", Severity.ERROR, """
The output directory, or a generated file in it, is a symlink.

Why: following it could write outside the project.

Fix: remove the symlink, or set [datumc] out_dir to a real directory.
""")


WRITE_FAILED = Code("DC022", "write-failed", Severity.ERROR, """
Writing the output failed (disk full, permission denied, read-only file system).

Why: datumc writes every file to a temp file first and renames only when all of them
are written, so a failure while writing changes nothing. If renaming fails part-way,
the message lists the files that were updated; every file is whole, old or new.

Fix: free space or fix the permissions, then build again; the next build finishes
the job.
""")
