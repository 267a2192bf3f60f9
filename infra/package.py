"""The functions' code for Lambda's Python runtime: the app as `chalice package` zips it, and the runtime
requirements installed from wheels built for that runtime's platform, whatever Python builds it.

Lambda's `python3.11` runs on Amazon Linux 2, whose support ended on 30 June 2026: Lambda no longer
creates functions on it. `python3.12` runs on Amazon Linux 2023 (glibc 2.34), so manylinux_2_28 wheels
run there. The project is developed and tested on Python 3.11, whose code runs unchanged on 3.12; pip
is asked for the target's wheels (`--python-version 3.12`), so a requirement without one stops the
build instead of being left out, and a Python 3.12 compiles the package's bytecode.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RUNTIME = "python3.12"
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def runtime_version() -> str:
    return RUNTIME.removeprefix("python")


def wheel_arguments() -> list[str]:
    """pip's options that select the target runtime's wheels and nothing built here."""
    platforms = [argument for platform in PLATFORMS for argument in ("--platform", platform)]
    return ["--only-binary=:all:", *platforms, "--python-version", runtime_version(), "--implementation", "cp"]


def add_requirements(zip_path: Path, requirements: Path) -> None:
    """Install `requirements` for the runtime into the package beside the app."""
    if not any(line.split("#")[0].strip() for line in requirements.read_text().splitlines()):
        return
    with tempfile.TemporaryDirectory() as target:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-compile", "--target", target, *wheel_arguments(), "-r", str(requirements)],
                       check=True)
        with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as package:
            present = set(package.namelist())
            for file in sorted(Path(target).rglob("*")):
                name = file.relative_to(target).as_posix()
                if file.is_file() and "__pycache__" not in file.parts and name not in present:
                    package.write(file, name)


def bytecode_python() -> str | None:
    """A Python of the runtime's version, to compile the package's bytecode (bytecode is per version):
    TEEKA_BUILD_PYTHON, else this one if it is, else `python3.12` on the PATH or under pyenv."""
    named = os.environ.get("TEEKA_BUILD_PYTHON")
    if named:
        return named
    version = runtime_version()
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}") or next(
        (str(path) for path in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))), None)
    return found
