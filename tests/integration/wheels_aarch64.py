"""Can a 64-bit Raspberry Pi's pip install Echtbild from wheels alone?

    python tests/integration/wheels_aarch64.py

Resolves the project's whole dependency tree (runtime dependencies and the dev extras the tests
need) as pip on 64-bit Raspberry Pi OS does: aarch64, CPython 3.11 on Bookworm (glibc 2.36) and
CPython 3.13 on Trixie (glibc 2.41), accepting manylinux wheels up to that glibc and no musllinux.
Only metadata is fetched (pip's --dry-run --report; PyPI serves it apart from the wheels), cached
by pip in ~/.cache/pip, so this takes seconds. Fails naming the package when one has no aarch64
wheel: an sdist counts as missing unless it builds into a pure-Python wheel (a Pi builds those in
seconds; they are cached in ~/.cache/echtbild/pure-wheels). Also fails when the version chosen
for aarch64 is older than the one for x86_64: the newest has lost its aarch64 wheel, and a Pi's
pip would try to build it from source.

Exit codes: 0 every package has a wheel; 1 a package has none; 2 pip could not resolve at all.
Only PyPI is asked: the pip configuration of this machine (extra indexes, find-links) is ignored.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
PURE_WHEELS = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "echtbild" / "pure-wheels"
)
# The oldest glibc each architecture's manylinux wheels target, and the pre-PEP 600 names pip
# still matches (manylinux2014 is manylinux_2_17, manylinux2010 is 2_12, manylinux1 is 2_5).
OLDEST_GLIBC_MINOR = {"aarch64": 17, "x86_64": 5}
LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
# pip settings of this machine that would add indexes or wheel folders besides PyPI.
IGNORED_PIP_SETTINGS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX")


# pip evaluates environment markers (python_version, platform_machine) against the Python that
# runs it, whatever --python-version and --platform say (pypa/pip#11010), so it runs with the
# target's marker values put in; the report's "environment" shows they were used.
PIP_WITH_TARGET_MARKERS = """
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv.pop(1))
host = markers.default_environment
markers.default_environment = lambda: {**host(), **target}
from pip._internal.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass(frozen=True)
class Target:
    system: str
    python: str  # the full version of the system's python3, as markers see it
    glibc_minor: int

    @property
    def python_minor(self) -> str:
        return self.python.rsplit(".", 1)[0]

    @property
    def abi(self) -> str:
        return "cp" + self.python_minor.replace(".", "")

    def markers(self, arch: str) -> dict[str, str]:
        return {
            "python_version": self.python_minor,
            "python_full_version": self.python,
            "implementation_version": self.python,
            "platform_machine": arch,
        }


TARGETS = (
    Target("Raspberry Pi OS Bookworm", "3.11.2", 36),
    Target("Raspberry Pi OS Trixie", "3.13.5", 41),
)


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    filename: str

    @property
    def compiled(self) -> bool:
        return not self.filename.endswith("-none-any.whl")

    @property
    def oldest_glibc(self) -> str:
        """The oldest glibc of the platform tags this wheel carries, e.g. "2.17"."""
        platforms = self.filename.removesuffix(".whl").rsplit("-", 1)[-1]
        legacy = {name: minor for minor, name in LEGACY_MANYLINUX.items()}
        minors = [int(minor) for minor in re.findall(r"manylinux_2_(\d+)_", platforms)]
        minors += [
            legacy[tag.split("_")[0]] for tag in platforms.split(".") if tag.split("_")[0] in legacy
        ]
        return f"2.{min(minors)}" if minors else "any"


class NoWheel(Exception):
    """A requirement with no wheel the target accepts; the message says which."""


class ResolutionError(Exception):
    """pip failed for another reason (network, a conflict); the message has pip's words."""


def platform_tags(arch: str, glibc_minor: int) -> list[str]:
    """The platform tags pip accepts on Linux/``arch`` with glibc 2.``glibc_minor``, best first."""
    tags = []
    for minor in range(glibc_minor, OLDEST_GLIBC_MINOR[arch] - 1, -1):
        tags.append(f"manylinux_2_{minor}_{arch}")
        if minor in LEGACY_MANYLINUX:
            tags.append(f"{LEGACY_MANYLINUX[minor]}_{arch}")
    tags.append(f"linux_{arch}")
    return tags


def project_requirements() -> list[str]:
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def pip(*arguments: str, markers: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in IGNORED_PIP_SETTINGS}
    environment["PIP_CONFIG_FILE"] = os.devnull
    if "PIP_CERT" not in environment and Path("/etc/ssl/certs/ca-certificates.crt").exists():
        # The system's trust store, as apt and curl use (networks that inspect TLS add to it).
        environment["PIP_CERT"] = "/etc/ssl/certs/ca-certificates.crt"
    if markers is None:
        command = [sys.executable, "-m", "pip"]
    else:
        command = [sys.executable, "-c", PIP_WITH_TARGET_MARKERS, json.dumps(markers)]
    command += ["--disable-pip-version-check", *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def resolve(requirements: list[str], target: Target, arch: str) -> dict[str, Wheel]:
    """Every distribution pip would install for ``target`` on ``arch``, from wheels only."""
    platforms = [f"--platform={tag}" for tag in platform_tags(arch, target.glibc_minor)]
    find_links = [f"--find-links={PURE_WHEELS}"] if PURE_WHEELS.is_dir() else []
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        result = pip(
            "install", "--dry-run", "--quiet", "--ignore-installed", f"--report={report}",
            "--only-binary=:all:", f"--python-version={target.python_minor}", "--implementation=cp",
            f"--abi={target.abi}", "--abi=abi3", "--abi=none", *platforms, *find_links,
            f"--target={Path(scratch) / 'target'}", *requirements, markers=target.markers(arch),
        )  # fmt: skip
        if result.returncode != 0:
            missing = re.search(r"No matching distribution found for (\S+)", result.stderr)
            if missing:
                raise NoWheel(missing.group(1))
            raise ResolutionError(result.stderr.strip())
        report = json.loads(report.read_text())
    if report["environment"]["platform_machine"] != arch:
        raise ResolutionError("pip ignored the target's environment markers (has pip changed?)")
    wheels = {}
    for item in report["install"]:
        name = item["metadata"]["name"].lower().replace("_", "-")
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        wheels[name] = Wheel(name, item["metadata"]["version"], filename)
    return wheels


def build_pure_wheel(requirement: str) -> bool:
    """Build ``requirement``'s sdist on this machine; keep the wheel if it is pure Python."""
    with tempfile.TemporaryDirectory() as scratch:
        built = pip(
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-binary=:all:",
            f"--wheel-dir={scratch}",
            requirement,
        )
        if built.returncode != 0:
            return False
        wheels = list(Path(scratch).glob("*.whl"))
        if len(wheels) != 1 or not wheels[0].name.endswith("-none-any.whl"):
            return False
        PURE_WHEELS.mkdir(parents=True, exist_ok=True)
        wheels[0].replace(PURE_WHEELS / wheels[0].name)
        return True


def resolve_with_pure_sdists(requirements: list[str], target: Target, arch: str) -> dict:
    """``resolve``, with pure-Python sdists built into wheels as a Pi's pip would build them."""
    tried: set[str] = set()
    while True:
        try:
            return resolve(requirements, target, arch)
        except NoWheel as missing:
            requirement = str(missing)
            if requirement in tried or not build_pure_wheel(requirement):
                raise
            tried.add(requirement)


def check(target: Target, requirements: list[str]) -> list[str]:
    """What keeps a Pi on ``target`` from installing from wheels; prints what it found."""
    heading = (
        f"{target.system} (aarch64, CPython {target.python_minor}, glibc 2.{target.glibc_minor})"
    )
    try:
        pi = resolve_with_pure_sdists(requirements, target, "aarch64")
    except NoWheel as missing:
        return [
            f"{heading}: {missing} has no wheel for aarch64 with CPython {target.python_minor} "
            f"(manylinux_2_17 to manylinux_2_{target.glibc_minor}), and no pure-Python sdist"
        ]
    problems = []
    try:
        x86 = resolve_with_pure_sdists(requirements, target, "x86_64")
    except NoWheel:
        x86 = {}  # x86_64 is not the Pi; CI's own install says what is missing there
    for name, wheel in sorted(pi.items()):
        newer = x86.get(name)
        if newer and newer.version != wheel.version:
            problems.append(
                f"{heading}: {name} {newer.version} has no aarch64 wheel (x86_64 has one); "
                f"a Pi's pip would build it from source (wheels alone give {wheel.version})"
            )
    compiled = [
        f"{w.name} {w.version} (glibc {w.oldest_glibc})"
        for _, w in sorted(pi.items())
        if w.compiled
    ]
    print(f"{heading}: {len(pi)} packages, {len(compiled)} compiled (the oldest glibc they need)")
    if compiled:
        print("  " + ", ".join(compiled))
    return problems


def main() -> int:
    requirements = project_requirements()
    problems = []
    try:
        for target in TARGETS:
            problems += check(target, requirements)
    except ResolutionError as error:
        print(f"wheels-aarch64: pip could not resolve the dependencies:\n{error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"MISSING {problem}", file=sys.stderr)
    if problems:
        return 1
    print("every dependency has a wheel a 64-bit Raspberry Pi's pip accepts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
