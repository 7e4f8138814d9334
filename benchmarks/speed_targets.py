"""The speed targets of issue 14, each measured side by side in one run and printed as a ratio.

On a real Go repository (default ``../shared/corpus/perf/jaeger.tar.gz``: 1,824 files, 181k Go
lines), extracted to a temporary folder, plus trees made from it (a ¼ and a ½ tree: whole package
folders of its code files chosen by path hash, every non-code file kept; a 2× tree: two copies of
it side by side as ``a/`` and ``b/``), this measures:

1. a cold scan against Checkov ``-d`` on the same tree (target ≤ 0.25 ×). Checkov is installed on
   first use into this benchmark's own venv, ``$XDG_CACHE_HOME/readiness-bench/checkov-venv``
   (default ``~/.cache``), never into the repository or the project's venv;
2. a cold scan against semgrep alone running the exact command lines readiness runs
   (``Semgrep.invocations``) one after another (target ≤ 1.15 ×);
3. a rerun from the cold scan's checkpoint with nothing changed (≤ 5 % of cold) and after a
   comment is appended to 5 production ``.go`` files (≤ 10 %);
4. the peak resident memory of the cold scan's whole process tree, readiness and every scanner
   child, summed every 50 ms from ``/proc`` (target ≤ 400 MiB), and the largest single process;
5. how the cold scan's time grows with the code lines over the ¼, ½, 1× and 2× trees: a
   least-squares fit time = a + b·lines and (time per line at 2×) / (time per line at 1×)
   (≤ 1.15; above it the cost is superlinear);
6. that semgrep left no file unanalysed (a per-file timeout) in any of those cold scans, nor in
   cold scans of the six calibration repositories ``../shared/corpus/*.tar.gz``.

Every scan is the command line a user runs: ``readiness scan TREE --checkpoint CP --resume``,
with the report, the JSON assessment and the checkpoint in the temporary folder (never in the
tree), a throwaway checkpoint key (``READINESS_STATE_KEY_FILE``), and the dependency scanners
offline against the snapshots in ``../shared/vulndb`` when they are there (the local OSV server and
Go database of ``benchmarks/accuracy.py``). "Cold" means no checkpoint; the operating system's
file cache and the tools' own caches are as they are.

Prints one line per target: the figures, the ratio, the target, ✅ or ❌. Exits 0 (it is a report),
or 1 with ``--strict`` when a target is missed. Speed is measured here, never in unit tests.

    python benchmarks/speed_targets.py [--tarball FILE] [--corpus DIR] [--skip-checkov]
        [--skip-scaling] [--skip-corpus] [--timeout SECONDS] [--json FILE] [--strict]

A full run takes about half an hour on a loaded 2-core machine (the 2× tree alone is a few
minutes, Checkov a few more, and its first install a minute).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy  # noqa: E402  (its offline vulnerability sources and tarball extraction)

from readiness import config, registry  # noqa: E402
from readiness.engine import load_catalogue, scanner_settings  # noqa: E402
from readiness.facts.production import Kind, generated_name, is_generated, is_production, kind  # noqa: E402
from readiness.model import Category  # noqa: E402
from readiness.repo import Repo  # noqa: E402
from readiness.scanners.semgrep import CODE_SUFFIXES, Semgrep  # noqa: E402

JAEGER = ROOT.parent / "shared" / "corpus" / "perf" / "jaeger.tar.gz"
CORPUS = ROOT.parent / "shared" / "corpus"
READINESS = ROOT / ".venv" / "bin" / "readiness"
TOOLS = ROOT / ".tools" / "bin"
SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
MIB = 1024 * 1024
SAMPLE_SECONDS = 0.05
CHANGED_FILES = 5
CHANGE = "\n// readiness speed benchmark: a harmless appended comment\n"
_UNANALYSED = re.compile(r"(\d+) file\(s\) not analysed(?: \((.*)\))?")

# The targets of issue 14.
CHECKOV_RATIO = 0.25
SEMGREP_RATIO = 1.15
CHANGED_RATIO = 0.10
UNCHANGED_RATIO = 0.05
RSS_LIMIT_MIB = 400.0
LINEAR_LIMIT = 1.15


# ---------------------------------------------------------------------------------------------
# Pure helpers (unit-tested in tests/benchmarks/test_speed_targets.py)


def line_count(data: bytes) -> int:
    """Lines as ``wc -l`` counts them, plus an unterminated last line."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def is_code(path: str) -> bool:
    return path.endswith(CODE_SUFFIXES)


def walk_files(root: Path) -> Iterator[str]:
    """Every file (and symlink) under ``root`` as a sorted POSIX path relative to it, ``.git`` aside."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        base = Path(folder).relative_to(root)
        for name in sorted(files):
            yield (base / name).as_posix()
        # A symlink to a folder is listed by os.walk among the folders: keep it as a file entry.
        for name in list(dirs):
            if (Path(folder) / name).is_symlink():
                dirs.remove(name)
                yield (base / name).as_posix()


def code_lines(root: Path) -> int:
    """The lines of the code files semgrep reads (Go, Python, JS/TS) under ``root``."""
    return sum(
        line_count((root / path).read_bytes())
        for path in walk_files(root)
        if is_code(path) and (root / path).is_file() and not (root / path).is_symlink()
    )


def _rank(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def choose_folders(lines_by_folder: Mapping[str, int], fraction: float) -> set[str]:
    """Folders whose code lines add up to about ``fraction`` of all, taken in the order of their
    path's hash (deterministic, and with no bias toward one part of the tree): a folder that would
    overshoot is passed over for a smaller one later in that order."""
    goal = fraction * sum(lines_by_folder.values())
    chosen: set[str] = set()
    total = 0
    for folder in sorted(lines_by_folder, key=_rank):
        if total >= goal:
            break
        if total + lines_by_folder[folder] <= goal or not chosen:
            chosen.add(folder)
            total += lines_by_folder[folder]
    return chosen


def slice_tree(source: Path, target: Path, fraction: float) -> Path:
    """A copy of ``source`` keeping every non-code file and the code files of a hash-chosen set
    of folders holding about ``fraction`` of its code lines. Whole folders (a Go package each),
    so what is left still reads like the project's code, only less of it."""
    files = list(walk_files(source))
    lines: dict[str, int] = {}
    for path in files:
        if is_code(path) and not (source / path).is_symlink():
            folder = path.rpartition("/")[0]
            lines[folder] = lines.get(folder, 0) + line_count((source / path).read_bytes())
    chosen = choose_folders(lines, fraction)
    for path in files:
        if is_code(path) and path.rpartition("/")[0] not in chosen:
            continue
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / path, destination, follow_symlinks=False)
    return target


def double_tree(source: Path, target: Path) -> Path:
    """Two copies of ``source`` side by side under ``target`` (``a/`` and ``b/``)."""
    for copy in ("a", "b"):
        shutil.copytree(source, target / copy, symlinks=True)
    return target


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least squares ``y = a + b·x`` through ``points`` (x, y): returns (a, b)."""
    if len(points) < 2:
        raise ValueError("a line needs two points")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        raise ValueError("the points share one x")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def per_line_growth(small: tuple[float, float], large: tuple[float, float]) -> float:
    """(time per line of the large tree) / (time per line of the small one), from (lines, seconds)."""
    return (large[1] / large[0]) / (small[1] / small[0])


def unanalysed(detail: str) -> int:
    """How many files semgrep's detail line says were left unanalysed."""
    found = _UNANALYSED.search(detail)
    return int(found.group(1)) if found else 0


def mark(ok: bool) -> str:
    return "✅" if ok else "❌"


# ---------------------------------------------------------------------------------------------
# Measuring


class TreeMemory:
    """Samples the resident memory of a process and all its descendants every 50 ms: the peak
    of their VmRSS sum (with how many processes made it), the largest single process seen, and
    the peak of their PSS sum, which counts a page shared by forked workers once rather than
    once per process. /proc has no children list on every kernel, so each sample reads every
    process's parent from /proc/<pid>/stat."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_total = 0
        self.peak_processes = 0
        self.peak_pss = 0
        self.peak_single = 0
        self.peak_single_name = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue  # gone between the listing and the read
            # The command name is in parentheses and may hold spaces: the parent follows the last ")".
            parent = int(stat[stat.rfind(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
        total = pss = processes = 0
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            pending += children.get(pid, [])
            rss, name = _rss(pid)
            total += rss
            pss += _pss(pid) if rss else 0
            processes += 1 if rss else 0
            if rss > self.peak_single:
                self.peak_single, self.peak_single_name = rss, name
        if total > self.peak_total:
            self.peak_total, self.peak_processes = total, processes
        self.peak_pss = max(self.peak_pss, pss)


def _rss(pid: int) -> tuple[int, str]:
    """VmRSS in bytes and the command name of ``pid`` (0 when it is gone or a zombie)."""
    rss, name = 0, "?"
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Name:"):
                name = line.partition(":")[2].strip() or "?"
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, name


def _pss(pid: int) -> int:
    """Proportional set size in bytes (0 where the kernel has no smaps_rollup)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Run:
    """One timed command: wall seconds, exit status, peak memory of its process tree."""

    seconds: float
    status: int
    peak_total: int = 0
    peak_single: int = 0
    peak_single_name: str = ""
    peak_processes: int = 0
    peak_pss: int = 0
    load: float = 0.0  # the machine's 1-minute load average when it ended: how noisy the figure is
    stderr: str = ""


def timed(argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Run:
    """Runs ``argv`` to its end, output to nothing (stderr kept for a failure's message)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env) if env else None, stdout=subprocess.DEVNULL, stderr=errors
        )
        with TreeMemory(child.pid) as memory:
            status = child.wait()
        seconds = time.perf_counter() - started
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    return Run(
        seconds,
        status,
        memory.peak_total,
        memory.peak_single,
        memory.peak_single_name,
        memory.peak_processes,
        memory.peak_pss,
        os.getloadavg()[0],
        text,
    )


@dataclass
class Scan:
    """A readiness scan as the CLI ran it, with what its JSON assessment says about semgrep."""

    name: str
    run: Run
    lines: int = 0
    semgrep_detail: str = ""
    semgrep_status: str = ""
    unanalysed: int = 0
    reused: int = 0
    categories: int = 0
    scanner_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.run.status in (0, 1)  # Go or No-Go; 2 and 3 are usage and internal errors


class Bench:
    """The shared setup: a work folder, the offline sources, the environment every scan gets."""

    def __init__(self, work: Path, sources: Mapping[str, str | None], timeout: str | None) -> None:
        self.work = work
        self.sources = sources
        self.timeout = timeout
        self.env = dict(os.environ)
        # semgrep, pip-audit and safety live in the project's .tools/bin (scripts/ installs them).
        if TOOLS.is_dir():
            self.env["PATH"] = f"{TOOLS}{os.pathsep}{self.env.get('PATH', '')}"
        self.env.update(SEMGREP_ENV)
        # A throwaway key: checkpoints this benchmark writes are trusted by its own reruns only.
        self.env["READINESS_STATE_KEY_FILE"] = str(work / "state" / "checkpoint.key")

    def scan(self, name: str, tree: Path, *, checkpoint: Path | None, lines: int = 0) -> Scan:
        out = self.work / "out" / name
        out.mkdir(parents=True, exist_ok=True)
        report = out / f"assessment-{len(list(out.glob('assessment-*.json')))}.json"
        argv = [
            str(READINESS),
            "scan",
            str(tree),
            "--output-dir",
            str(out / "reports"),
            "--json",
            str(report),
        ]
        argv += ["--checkpoint", str(checkpoint), "--resume"] if checkpoint else ["--no-checkpoint"]
        if self.sources.get("osv_url"):
            argv += ["--osv-url", str(self.sources["osv_url"])]
        if self.sources.get("go_db"):
            argv += ["--go-vulndb", str(self.sources["go_db"])]
        if self.timeout:
            argv += ["--timeout", self.timeout]
        result = Scan(name, timed(argv, env=self.env), lines)
        if report.is_file():
            read_assessment(result, json.loads(report.read_text(encoding="utf-8")))
        return result

    def semgrep_alone(self, tree: Path) -> tuple[Run, int]:
        """The semgrep command lines readiness's cold scan runs, one after another: their summed
        wall time, the highest peak memory, and how many there were."""
        load_catalogue()
        policy = config.load(tree, known_checks=registry.known_ids())
        settings = scanner_settings(policy, list(Category), {}, [])["semgrep"]
        argvs = Semgrep().invocations(
            Repo(tree, exclude=policy.exclude), settings, rules_subset=self.work / "semgrep-alone"
        )
        total = Run(0.0, 0)
        for argv in argvs:
            run = timed(argv, cwd=tree, env=self.env)
            total.seconds += run.seconds
            total.status = total.status or run.status
            total.peak_total = max(total.peak_total, run.peak_total)
            total.peak_pss = max(total.peak_pss, run.peak_pss)
            total.load = run.load
            total.stderr += run.stderr[-2000:]
        return total, len(argvs)


def read_assessment(scan: Scan, data: Mapping[str, Any]) -> None:
    for scanner in data.get("scanners") or []:
        scan.scanner_seconds[str(scanner.get("name"))] = float(scanner.get("seconds") or 0.0)
        if scanner.get("name") == "semgrep":
            scan.semgrep_detail = str(scanner.get("detail") or "")
            scan.semgrep_status = str(scanner.get("status") or "")
            scan.unanalysed = unanalysed(scan.semgrep_detail)
    categories = data.get("scorecard") or []
    scan.categories = len(categories)
    scan.reused = sum(1 for c in categories if c.get("reused_from_checkpoint"))


def changed_files(tree: Path, count: int) -> list[str]:
    """``count`` production Go files (not tests, not vendored, not generated), chosen by path hash."""
    policy = config.load(tree, known_checks=registry.known_ids())
    repo = Repo(tree, exclude=policy.exclude)
    candidates = [
        path
        for path in sorted(repo.paths, key=_rank)
        if path.endswith(".go")
        and kind(path) is not Kind.VENDORED
        and is_production(path, tuple(policy.test_paths))
        and not (generated_name(path) and is_generated(path, repo.text(path)[:4096]))
        and not path.endswith(".pb.go")
    ]
    return candidates[:count]


def checkov_executable() -> Path | None:
    """Checkov in this benchmark's own venv, made on first use (never inside the repository);
    None when it could not be installed (the pip output goes to stderr)."""
    cache = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
    venv = base / "readiness-bench" / "checkov-venv"
    executable = venv / "bin" / "checkov"
    # The marker is written last: a venv whose install was cut short is made again.
    marker = venv / ".installed"
    if not marker.is_file():
        shutil.rmtree(venv, ignore_errors=True)
        print(f"installing Checkov into {venv} (first use) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        # pip's own chatter (index warnings) only matters when the install fails.
        installed = subprocess.run([*pip, "checkov"], capture_output=True, text=True)
        if installed.returncode != 0:
            sys.stderr.write(installed.stdout[-4000:] + installed.stderr[-4000:])
            print(
                f"could not install Checkov into {venv} (pip exited {installed.returncode})", file=sys.stderr
            )
            return None
        marker.write_text("checkov\n", encoding="utf-8")
    return executable


def checkov(tree: Path, work: Path) -> tuple[Run, str] | None:
    executable = checkov_executable()
    if executable is None:
        return None
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if k not in ("BC_API_KEY", "PRISMA_API_URL")}
    # Offline: no policy download from the platform, no Terraform module fetches.
    argv = [str(executable), "-d", str(tree), "--quiet", "--compact", "-o", "json"]
    argv += ["--skip-download", "--download-external-modules", "false"]
    return timed(argv, cwd=work, env=env), version


# ---------------------------------------------------------------------------------------------
# The report


@dataclass
class Line:
    target: str
    text: str
    ok: bool | None  # None: not measured

    def show(self) -> str:
        sign = "–" if self.ok is None else mark(self.ok)
        return f"{self.target:<34} {self.text}  {sign}"


def mib(size: int) -> str:
    return f"{size / MIB:.0f} MiB"


def failed(scan: Scan) -> str:
    tail = " | ".join(scan.run.stderr.strip().splitlines()[-3:])
    return f"{scan.name}: readiness exited {scan.run.status} ({tail})"


def footprint(run: Run) -> str:
    return f"tree RSS {mib(run.peak_total)} (PSS {mib(run.peak_pss)})  load {run.load:.1f}"


def show_scan(scan: Scan) -> None:
    seconds = ", ".join(f"{n} {s:.1f}s" for n, s in sorted(scan.scanner_seconds.items(), key=lambda i: -i[1]))
    lines = f"{scan.lines:>7} lines " if scan.lines else ""
    print(
        f"  {scan.name:<28} {scan.run.seconds:7.1f} s  {lines}exit {scan.run.status}  "
        f"{footprint(scan.run)}  reused {scan.reused}/{scan.categories}  "
        f"[{seconds}]",
        flush=True,
    )
    if scan.semgrep_detail:
        print(f"  {'':<28} semgrep: {scan.semgrep_detail}", flush=True)
    if not scan.ok:
        print(f"  {'':<28} {failed(scan)}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tarball", type=Path, default=JAEGER, help="the tree to time (a .tar.gz of one folder)"
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the calibration <name>.tar.gz")
    parser.add_argument("--skip-checkov", action="store_true", help="do not install or time Checkov")
    parser.add_argument("--skip-scaling", action="store_true", help="no ¼, ½ and 2× trees")
    parser.add_argument("--skip-corpus", action="store_true", help="no scans of the calibration repositories")
    parser.add_argument("--timeout", help="readiness scan --timeout (default: the CLI's own)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    load_catalogue()

    started = time.perf_counter()
    lines: list[Line] = []
    figures: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="readiness-speed-") as temporary,
        accuracy._offline_sources(Path(temporary)) as sources,
    ):
        work = Path(temporary)
        bench = Bench(work, sources, args.timeout)
        print(f"machine: {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}; work folder {work}")
        print(f"offline sources: {'yes' if sources.get('osv_url') else 'no (../shared/vulndb missing)'}")
        name = args.tarball.name.removesuffix(".tar.gz").removesuffix(".tgz")
        full = accuracy._extract(args.tarball, work / "trees" / "1x", name)
        trees = {"1x": full}
        if not args.skip_scaling:
            # Made before any scan or change, so every tree is the pristine snapshot's.
            trees["1/4"] = slice_tree(full, work / "trees" / "quarter" / name, 0.25)
            trees["1/2"] = slice_tree(full, work / "trees" / "half" / name, 0.5)
            trees["2x"] = double_tree(full, work / "trees" / "2x" / name)
        sizes = {label: code_lines(tree) for label, tree in trees.items()}
        print(
            "trees: "
            + ", ".join(
                f"{label} {sum(1 for _ in walk_files(trees[label]))} files / {sizes[label]} code lines"
                for label in trees
            )
        )
        print("scans:", flush=True)

        # 1-4: the cold scan of the 1× tree, with the figures it is compared with right after it.
        checkpoint = work / "checkpoints" / "1x.md"
        cold = bench.scan("1x cold", full, checkpoint=checkpoint, lines=sizes["1x"])
        show_scan(cold)
        try:
            alone, invocations = bench.semgrep_alone(full)
        except Exception as error:  # the adapter is being changed by others: report, don't stop
            alone, invocations = Run(0.0, -1, stderr=f"{type(error).__name__}: {error}"), 0
        print(
            f"  {'semgrep alone':<28} {alone.seconds:7.1f} s  {invocations} invocation(s)  exit "
            f"{alone.status}  {footprint(alone)}",
            flush=True,
        )
        checkov_run: Run | None = None
        measured_checkov = None if args.skip_checkov else checkov(full, work)
        if measured_checkov is not None:
            checkov_run, version = measured_checkov
            print(
                f"  {'checkov -d ' + version:<28} {checkov_run.seconds:7.1f} s  exit {checkov_run.status}  "
                f"{footprint(checkov_run)}",
                flush=True,
            )
        unchanged = bench.scan("1x rerun, nothing changed", full, checkpoint=checkpoint)
        show_scan(unchanged)
        edited = changed_files(full, CHANGED_FILES)
        for path in edited:
            with (full / path).open("a", encoding="utf-8") as handle:
                handle.write(CHANGE)
        print(f"  changed: {', '.join(edited)}")
        changed = bench.scan(f"1x rerun, {len(edited)} files changed", full, checkpoint=checkpoint)
        show_scan(changed)

        scaling: dict[str, Scan] = {"1x": cold}
        for label in ("1/4", "1/2", "2x"):
            if label in trees:
                scaling[label] = bench.scan(
                    f"{label} cold",
                    trees[label],
                    checkpoint=work / "checkpoints" / f"{label.replace('/', '-of-')}.md",
                    lines=sizes[label],
                )
                show_scan(scaling[label])

        corpus: list[Scan] = []
        if not args.skip_corpus:
            for archive in sorted(args.corpus.glob("*.tar.gz")):
                repo = archive.name.removesuffix(".tar.gz")
                tree = accuracy._extract(archive, work / "corpus", repo)
                corpus.append(bench.scan(f"corpus {repo}", tree, checkpoint=None, lines=code_lines(tree)))
                show_scan(corpus[-1])

        print()
        print("targets:")
        # 1. Checkov.
        if args.skip_checkov:
            lines.append(Line("1. cold scan vs Checkov -d", "skipped (--skip-checkov)", None))
        elif checkov_run is None:
            lines.append(
                Line("1. cold scan vs Checkov -d", "not measured: Checkov could not be installed", False)
            )
        elif not cold.ok or checkov_run.status not in (0, 1):
            lines.append(
                Line(
                    "1. cold scan vs Checkov -d",
                    f"not measured: readiness exit {cold.run.status}, checkov exit {checkov_run.status}",
                    False,
                )
            )
        else:
            ratio = cold.run.seconds / checkov_run.seconds
            lines.append(
                Line(
                    "1. cold scan vs Checkov -d",
                    f"{cold.run.seconds:.1f} s vs {checkov_run.seconds:.1f} s: {ratio:.2f} × "
                    f"(target ≤ {CHECKOV_RATIO:.2f} ×)",
                    ratio <= CHECKOV_RATIO,
                )
            )
        # 2. Semgrep alone.
        if cold.ok and alone.status in (0, 1) and alone.seconds > 0:
            ratio = cold.run.seconds / alone.seconds
            lines.append(
                Line(
                    "2. cold scan vs semgrep alone",
                    f"{cold.run.seconds:.1f} s vs {alone.seconds:.1f} s ({invocations} run(s)): "
                    f"{ratio:.2f} × (target ≤ {SEMGREP_RATIO:.2f} ×)",
                    ratio <= SEMGREP_RATIO,
                )
            )
        else:
            lines.append(
                Line(
                    "2. cold scan vs semgrep alone",
                    f"not measured: readiness exit {cold.run.status}, semgrep exit {alone.status} "
                    f"({alone.stderr.strip()[-300:]})",
                    False,
                )
            )
        # 3. Reruns.
        for label, rerun, limit in (
            (f"3a. rerun, {len(edited)} files changed", changed, CHANGED_RATIO),
            ("3b. rerun, nothing changed", unchanged, UNCHANGED_RATIO),
        ):
            if cold.ok and rerun.ok:
                ratio = rerun.run.seconds / cold.run.seconds
                lines.append(
                    Line(
                        label,
                        f"{rerun.run.seconds:.1f} s vs cold {cold.run.seconds:.1f} s: "
                        f"{ratio:.1%} (target ≤ {limit:.0%}; reused {rerun.reused}/"
                        f"{rerun.categories} categories)",
                        ratio <= limit,
                    )
                )
            else:
                lines.append(Line(label, f"not measured: {failed(rerun if cold.ok else cold)}", False))
        # 4. Memory.
        peak = cold.run.peak_total / MIB
        lines.append(
            Line(
                "4. peak RSS, whole process tree",
                f"{peak:.0f} MiB VmRSS summed over {cold.run.peak_processes} processes (largest single "
                f"process {cold.run.peak_single_name} {mib(cold.run.peak_single)}; PSS sum, shared "
                f"pages once, {mib(cold.run.peak_pss)}; target ≤ {RSS_LIMIT_MIB:.0f} MiB)",
                peak <= RSS_LIMIT_MIB and cold.ok,
            )
        )
        # 5. Scaling.
        measured = [s for s in scaling.values() if s.ok and s.lines]
        if args.skip_scaling:
            lines.append(Line("5. cost vs lines scanned", "skipped (--skip-scaling)", None))
        elif len(measured) == len(scaling) and "2x" in scaling:
            a, b = linear_fit([(s.lines, s.run.seconds) for s in measured])
            growth = per_line_growth(
                (cold.lines, cold.run.seconds), (scaling["2x"].lines, scaling["2x"].run.seconds)
            )
            points = ", ".join(
                f"{label} {s.lines} lines {s.run.seconds:.1f} s" for label, s in scaling.items()
            )
            lines.append(
                Line(
                    "5. cost vs lines scanned",
                    f"{points}; fit t = {a:.1f} s + {b * 1000:.3f} ms/line; per-line 2×/1× "
                    f"{growth:.2f} (target ≤ {LINEAR_LIMIT:.2f})",
                    growth <= LINEAR_LIMIT,
                )
            )
            figures["fit"] = {"a_seconds": a, "b_seconds_per_line": b, "growth_2x_over_1x": growth}
        else:
            broken = "; ".join(failed(s) for s in scaling.values() if not s.ok)
            lines.append(Line("5. cost vs lines scanned", f"not measured: {broken}", False))
        # 6. Unanalysed files.
        every = [*scaling.values(), *corpus]
        lost = [
            f"{s.name}: {s.unanalysed} ({s.semgrep_detail.partition('not analysed')[2].strip(' ()')})"
            for s in every
            if s.unanalysed
        ]
        missing = [s.name for s in every if not s.semgrep_detail]
        text = f"{sum(s.unanalysed for s in every)} file(s) over {len(every)} cold scan(s)"
        if lost:
            text += ": " + "; ".join(lost)
        if missing:
            text += "; no semgrep detail in: " + ", ".join(missing)
        lines.append(Line("6. files left unanalysed", text + " (target 0)", not lost and not missing))

        for line in lines:
            print(line.show())
        elapsed = time.perf_counter() - started
        print(f"\nbenchmark took {elapsed / 60:.1f} min")
        if args.json:
            figures["targets"] = [asdict(line) for line in lines]
            figures["scans"] = [
                {**asdict(s), "run": {k: v for k, v in asdict(s.run).items() if k != "stderr"}}
                for s in [cold, unchanged, changed, *scaling.values(), *corpus]
            ]
            figures["semgrep_alone"] = {"seconds": alone.seconds, "invocations": invocations}
            if checkov_run is not None:
                figures["checkov"] = {"seconds": checkov_run.seconds, "status": checkov_run.status}
            args.json.write_text(json.dumps(_unique(figures), indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and any(line.ok is False for line in lines) else 0


def _unique(data: Any) -> Any:
    """JSON-safe copy (tuples and sets as lists)."""
    if isinstance(data, Mapping):
        return {str(k): _unique(v) for k, v in data.items()}
    if isinstance(data, Iterable) and not isinstance(data, str | bytes):
        return [_unique(v) for v in data]
    return data


if __name__ == "__main__":
    sys.exit(main())
