"""Facts about the repository that more than one check needs, each defined once.

A fact is derived from the repository view (and, where semgrep is the source, its matches) and
memoised on the Repo, so every category sees the same answer to "is this production code?" or
"does this service use Redis?".
"""
