"""The GitHub edge: the only package that talks to GitHub (REST via PyGithub, workflow files)."""
