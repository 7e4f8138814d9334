"""Where readiness may write, when the scanned tree has a say in it.

The tree's author controls every name under the scanned root: `.readiness.yml` chooses the
checkpoint path, and a committed symlink ``reports -> /etc`` or a checkpoint named like a device
would have the gate, often run as root, replace files outside the tree. So a path under the
tree is used only when each of its components below the root is a real directory (no symlink),
and the file itself is absent or a regular file; the final write refuses a symlink too
(``O_NOFOLLOW``), which closes the window between the check and the write.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class UnsafePath(ValueError):
    """A path readiness refuses to write; the message names the component and why."""


def lexical(path: Path) -> Path:
    """``path`` made absolute with ``..`` folded, without following any symlink."""
    return Path(os.path.normpath(path.absolute()))


def under(path: Path, root: Path) -> bool:
    """Whether ``path`` lies at or below ``root``, by name (symlinks not followed)."""
    return lexical(path).is_relative_to(lexical(root))


def check_target(path: Path, tree: Path, *, directory: bool = False) -> None:
    """Raise :class:`UnsafePath` unless writing ``path`` can only touch a regular file (with
    ``directory``, a directory) inside ``tree`` when it lies there. Paths outside ``tree`` are the
    user's own: not checked here."""
    target, root = lexical(path), lexical(tree)
    if not target.is_relative_to(root) or target == root:
        return
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        try:
            mode = current.lstat().st_mode
        except FileNotFoundError:
            return  # nothing there yet: created as a directory or a regular file
        except OSError as error:
            raise UnsafePath(f"{current}: {error.strerror}") from None
        if stat.S_ISLNK(mode):
            raise UnsafePath(f"{current} is a symlink inside the scanned tree; not written through it")
        if (current != target or directory) and not stat.S_ISDIR(mode):
            raise UnsafePath(f"{current} is not a directory")
        if current == target and not directory and not stat.S_ISREG(mode):
            raise UnsafePath(f"{current} exists and is not a regular file; not replaced")


def inside(root: Path, relative: str) -> Path:
    """``root/relative`` for a path the tree's configuration chose: it must name a file strictly
    inside ``root``, reached without symlinks, that is absent or a regular file."""
    target = lexical(root / relative)
    if not target.is_relative_to(lexical(root)) or target == lexical(root) or relative.endswith("/"):
        raise UnsafePath(f"{relative!r} does not name a file inside {root}")
    check_target(target, root)
    return target


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8), refusing to follow a symlink at the last component."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_NONBLOCK: opening a FIFO put there since the check fails instead of waiting for a reader.
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafePath(f"{path} is a symlink; not written through it") from None
        if error.errno == errno.ENXIO:  # a FIFO without a reader
            raise UnsafePath(f"{path} exists and is not a regular file; not replaced") from None
        raise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnsafePath(f"{path} exists and is not a regular file; not replaced")
        handle.truncate(0)  # only now: truncating on open would empty a device or a pipe first
        handle.write(text)
