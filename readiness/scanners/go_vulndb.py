"""A local Go vulnerability database: build one from OSV entries, and read one.

govulncheck reads a database from a ``file://`` URL, but the layout changed between releases:
the early ones (Debian 12 packages ``0.0~git20230201``) read ``index.json`` (module → last
modified), ``<module path>.json`` (that module's entries; ``stdlib.json`` for the standard
library), ``aliases.json`` and ``ID/<id>.json``; v1.x reads ``index/db.json``,
``index/modules.json``, ``index/vulns.json`` and ``ID/<id>.json``. :func:`build` writes both
layouts into one directory, so one offline database serves either govulncheck, and
:class:`GoVulnDB` reads either (for module-level matching when govulncheck can't load the
packages). Air-gapped use::

    python -m readiness.scanners.go_vulndb OSV_DIR OUT_DIR   # OSV_DIR holds GO-*.json
    readiness scan --go-vulndb OUT_DIR
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def escape_module_path(path: str) -> str:
    """Go's module path escaping for file names: an upper-case letter becomes ``!`` + lower."""
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def _modules(entry: dict[str, Any]) -> list[str]:
    found = []
    for affected in entry.get("affected") or ():
        name = (affected.get("package") or {}).get("name")
        if isinstance(name, str) and name not in found:
            found.append(name)
    return found


def _fixed(entry: dict[str, Any], module: str) -> str:
    fixes: list[str] = []
    for affected in entry.get("affected") or ():
        if (affected.get("package") or {}).get("name") != module:
            continue
        for event_range in affected.get("ranges") or ():
            fixes += [e["fixed"] for e in event_range.get("events") or () if "fixed" in e]
    return fixes[-1] if fixes else ""


def build(entries: Iterable[dict[str, Any]], out: Path) -> int:
    """Write ``entries`` (OSV dicts) as a database in both layouts under ``out``; return the count."""
    by_module: dict[str, list[dict[str, Any]]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    all_entries = sorted(entries, key=lambda e: str(e["id"]))
    (out / "ID").mkdir(parents=True, exist_ok=True)
    (out / "index").mkdir(exist_ok=True)
    for entry in all_entries:
        (out / "ID" / f"{entry['id']}.json").write_text(json.dumps(entry), encoding="utf-8")
        for module in _modules(entry):
            by_module[module].append(entry)
        for alias in entry.get("aliases") or ():
            aliases[alias].append(entry["id"])
    modified = max((str(e.get("modified", "")) for e in all_entries), default="0001-01-01T00:00:00Z")
    legacy_index = {}
    for module, module_entries in sorted(by_module.items()):
        target = out / f"{escape_module_path(module)}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(module_entries), encoding="utf-8")
        legacy_index[module] = max(str(e.get("modified", "")) for e in module_entries)
    (out / "index.json").write_text(json.dumps(legacy_index), encoding="utf-8")
    (out / "aliases.json").write_text(json.dumps(aliases), encoding="utf-8")
    (out / "ID" / "index.json").write_text(json.dumps([e["id"] for e in all_entries]), encoding="utf-8")
    (out / "index" / "db.json").write_text(json.dumps({"modified": modified}), encoding="utf-8")
    modules = [
        {
            "path": module,
            "vulns": [
                {"id": e["id"], "modified": e.get("modified"), "fixed": _fixed(e, module)}
                for e in module_entries
            ],
        }
        for module, module_entries in sorted(by_module.items())
    ]
    (out / "index" / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    vulns = [
        {"id": e["id"], "modified": e.get("modified"), "aliases": e.get("aliases") or []} for e in all_entries
    ]
    (out / "index" / "vulns.json").write_text(json.dumps(vulns), encoding="utf-8")
    return len(all_entries)


def build_from_directory(osv_dir: Path, out: Path) -> int:
    """Build a database from a directory of OSV JSON files (``GO-*.json``, searched recursively)."""
    entries = []
    for path in sorted(osv_dir.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "id" in data and "affected" in data:
            entries.append(data)
    return build(entries, out)


def local_path(db: str | None) -> Path | None:
    """The directory of a local database (``file:///...`` URL or a plain path), None otherwise."""
    if not db:
        return None
    if db.startswith("file://"):
        return Path(db[len("file://") :])
    if "://" in db:
        return None
    return Path(db)


class GoVulnDB:
    """Reads a local database in either layout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._modules: dict[str, list[str]] | None = None

    def exists(self) -> bool:
        return (self.root / "index.json").is_file() or (self.root / "index" / "modules.json").is_file()

    def entries(self, module: str) -> list[dict[str, Any]]:
        if not module or module.startswith("/") or {"", ".", ".."} & set(module.split("/")):
            return []  # not a module path (the go.mod parser reports those): never a path out
        legacy = self.root / f"{escape_module_path(module)}.json"
        if (self.root / "index.json").is_file():
            if not legacy.is_file():
                return []
            data = json.loads(legacy.read_text(encoding="utf-8"))
            return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
        ids = self._module_index().get(module, [])
        found = []
        for vuln_id in ids:
            path = self.root / "ID" / f"{vuln_id}.json"
            if path.is_file():
                found.append(json.loads(path.read_text(encoding="utf-8")))
        return found

    def _module_index(self) -> dict[str, list[str]]:
        if self._modules is None:
            data = json.loads((self.root / "index" / "modules.json").read_text(encoding="utf-8"))
            self._modules = {
                str(item["path"]): [str(v["id"]) for v in item.get("vulns") or ()]
                for item in data
                if isinstance(item, dict) and "path" in item
            }
        return self._modules
