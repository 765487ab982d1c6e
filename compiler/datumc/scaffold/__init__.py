"""What `datumc init` writes: a provider catalogue, the files of a new project, and the
plan of writing them into a directory without overwriting anything.

Pure: nothing here prints or prompts; `commands/init.py` does.
"""
