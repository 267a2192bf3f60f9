"""The lean Lambda package (infra/lean.py): what `trim` drops and keeps, that no kept module can import a
dropped one, and the trimmed libraries themselves running every path the app takes through them."""
import fnmatch
import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from infra import lean
from tests.conftest import ROOT

SITE = Path(sysconfig.get_paths()["purelib"])
# What the trim touches in the libraries, and what their code is checked with; pillow.libs holds the
# shared libraries of Pillow's extensions.
LIBRARIES = ("fontTools", "PIL", "aws_lambda_powertools", "stdnum", "fpdf", "uharfbuzz")
SHARED_LIBRARIES = ("pillow.libs",)
# Kept modules that import a dropped one, and why that import never runs.
UNREACHED = {
    ("aws_lambda_powertools/shared/functions.py", "aws_lambda_powertools.event_handler"):
        "pydantic_to_dict: only for a pydantic model, and pydantic is not packaged",
    ("aws_lambda_powertools/utilities/batch/types.py", "aws_lambda_powertools.utilities.parser"):
        "under `if has_pydantic`: pydantic is not packaged",
}


def site(pattern: str) -> str:
    """The one file of the venv's site-packages matching `pattern`, relative to it."""
    found = sorted(str(path.relative_to(SITE)) for path in SITE.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:  # stored: quick, and trim keeps it
        for name, data in files.items():
            archive.writestr(name, data)


def names(path: Path) -> set[str]:
    """The package's files, less the bytecode trim compiles for each module (tested on its own below)."""
    with zipfile.ZipFile(path) as archive:
        return {name for name in archive.namelist() if not name.endswith(".pyc")}


def test_every_module_ships_its_bytecode_and_python_runs_it_without_compiling(tmp_path):
    package = tmp_path / "deployment.zip"
    write_zip(package, {"probe/__init__.py": b"", "probe/value.py": b"ANSWER = 42\n", "probe/broken.py": b"def (:\n",
                        "probe/data.txt": b"x"})
    lean.trim(package, bytecode_python=sys.executable)
    compiled = {importlib.util.cache_from_source(name) for name in ("probe/__init__.py", "probe/value.py")}
    with zipfile.ZipFile(package) as archive:
        assert set(archive.namelist()) == {"probe/__init__.py", "probe/value.py", "probe/broken.py",
                                           "probe/data.txt"} | compiled
        archive.extractall(tmp_path / "task")
    # The bytecode is used without checking the source (Lambda's files all date from 1980): a changed
    # source is not even read.
    (tmp_path / "task" / "probe" / "value.py").write_text("ANSWER = 0\n")
    done = subprocess.run([sys.executable, "-B", "-c", "import probe.value as v; print(v.ANSWER)"],
                          cwd=tmp_path / "task", capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "42"


def test_the_package_leaves_out_the_sdk_the_runtime_provides(tmp_path):
    package = tmp_path / "deployment.zip"
    write_zip(package, dict.fromkeys(
        ("app.py", "chalicelib/config.py", "botocore/client.py", "botocore-1.44.5.dist-info/METADATA",
         "boto3/session.py", "s3transfer/manager.py", "pynamodb/models.py", "botocorelike/x.py"), b"x"))
    lean.trim(package)
    assert names(package) == {"app.py", "botocorelike/x.py", "chalicelib/config.py", "pynamodb/models.py"}


def test_trim_drops_what_the_lambda_never_runs_and_keeps_what_it_does(tmp_path):
    kept = ["fontTools/subset/__init__.py", "fontTools/varLib/instancer/__init__.py", "fontTools/feaLib/ast.py",
            "fontTools/misc/bezierTools.py", "fontTools/varLib/iup.py", "fontTools/ttLib/tables/_g_l_y_f.py",
            "fontTools/ttLib/tables/T_S_I__0.py", "fpdf/fpdf.py", "uharfbuzz/__init__.py",
            site("uharfbuzz/_harfbuzz.*.so"), "PIL/Image.py", "PIL/PngImagePlugin.py", "PIL/TiffImagePlugin.py",
            "PIL/ImageCms.py", site("PIL/_imaging.*.so"), site("PIL/_imagingcms.*.so"),
            site("pillow.libs/libjpeg-*"), site("pillow.libs/liblcms2-*"), "stdnum/in_/aadhaar.py",
            "stdnum/do/cedula.py", "stdnum/at/postleitzahl.py", "stdnum/at/postleitzahl.dat", "stdnum/cn/loc.dat",
            "aws_lambda_powertools/utilities/batch/base.py", "aws_lambda_powertools/utilities/idempotency/base.py",
            "aws_lambda_powertools/logging/logger.py", "aws_lambda_powertools/tracing/tracer.py",
            "aws_lambda_powertools/metrics/metrics.py"]
    dropped = ["fontTools/cu2qu/cu2qu.py", site("fontTools/cu2qu/cu2qu.*.so"), "fontTools/feaLib/lexer.py",
               site("fontTools/misc/bezierTools.*.so"), "fontTools/misc/bezierTools.c", "fontTools/ufoLib/__init__.py",
               site("fontTools/pens/momentsPen.*.so"), "fontTools/varLib/mutator.py", "PIL/WebPImagePlugin.py",
               "PIL/ImageFont.py", site("PIL/_imagingft.*.so"), site("pillow.libs/libfreetype-*"), "stdnum/mac.py",
               "stdnum/oui.dat", "aws_lambda_powertools/event_handler/api_gateway.py",
               "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
               "aws_lambda_powertools/utilities/parser/models/sqs.py", "zint-stubs/__init__.pyi",
               site("uharfbuzz/_harfbuzz_test.*.so")]
    files = {name: (SITE / name).read_bytes() for name in kept + dropped}
    ours = {"app.py": (ROOT / "app.py").read_bytes(),
            "chalicelib/countries/in/pack.toml": (ROOT / "chalicelib/countries/in/pack.toml").read_bytes(),
            "chalicelib/__pycache__/config.cpython-311.pyc": b"stale", "boto3/session.py": b"x",
            "botocore-1.44.8.dist-info/METADATA": b"x", "fonttools-4.68.0.data/data/share/man/man1/ttx.1": b"x"}
    package = tmp_path / "deployment.zip"
    write_zip(package, {**files, **ours})
    lean.trim(package)
    assert names(package) == set(kept) | {"app.py", "chalicelib/countries/in/pack.toml"}
    with zipfile.ZipFile(package) as archive:  # entries kept whole
        assert archive.read(site("PIL/_imaging.*.so")) == files[site("PIL/_imaging.*.so")]


@pytest.mark.parametrize("files, unused, refusal", [
    ({"chalicelib/countries/zz/pack.toml": b'check = "stdnum:mac"', "stdnum/mac.py": b"x"}, {},
     "chalicelib/countries/zz/pack.toml checks IDs with stdnum.mac"),
    ({"pydantic/__init__.py": b"x"}, {}, "pydantic is packaged"),
    ({"pillow-13.0.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nTag: cp311-cp311-linux_x86_64\n",
      "cffi-2.1.1.dist-info/WHEEL": b"Tag: cp311-cp311-manylinux2014_x86_64\n", "six-1.17.0.dist-info/WHEEL":
      b"Tag: py3-none-any\n"}, {}, r"pillow-13.0.0 was built from its sources on this machine \(cp311-cp311-linux"),
    ({"PIL/_imaging.so": (SITE / site("PIL/_imaging.*.so")).read_bytes(),
      site("pillow.libs/libjpeg-*"): b"x"}, {"pillow.libs/libjpeg-*": "a mistake"}, "PIL/_imaging.so needs libjpeg"),
])
def test_trim_refuses_a_package_it_would_break(tmp_path, monkeypatch, files, unused, refusal):
    for pattern, reason in unused.items():
        monkeypatch.setitem(lean.UNUSED, pattern, reason)
    package = tmp_path / "deployment.zip"
    write_zip(package, files)
    with pytest.raises(lean.TrimError, match=refusal):
        lean.trim(package)
    assert names(package) == set(files) and sorted(tmp_path.iterdir()) == [package]  # left as it was


def test_every_pattern_of_a_library_still_matches_a_file_of_it():
    """A library upgrade that renames a module leaves its pattern behind: the list must follow."""
    tops = LIBRARIES + SHARED_LIBRARIES
    files = [str(path.relative_to(SITE)) for top in tops for path in (SITE / top).rglob("*") if path.is_file()]
    stale = [pattern for pattern in [*lean.UNUSED, *lean.KEPT] if pattern.split("/")[0] in tops
             and not any(fnmatch.fnmatchcase(name, pattern) for name in files)]
    assert not stale


def _module(path: str) -> str:
    parts = path.split("/")
    stem = parts[-1].split(".")[0]
    return ".".join(parts[:-1] + ([] if stem == "__init__" else [stem]))


# `import a.b as c, d` and `from .a import (b, c)`, at any indentation (function-level imports too). A
# regex, not `ast`: parsing fontTools alone takes seconds. Strings that look like imports only add edges.
IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))",
                    re.MULTILINE)


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module an `import` anywhere in the file may load, by line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    text = path.read_text(encoding="utf-8", errors="replace")
    found = []
    for match in IMPORT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        base, names, plain = match.groups()
        if plain is not None:
            found += [(line, item.split()[0]) for item in plain.split(",") if item.split()]
            continue
        level = len(base) - len(base.lstrip("."))
        base = base.lstrip(".")
        if level:
            parent = package.rsplit(".", level - 1)[0] if level > 1 else package
            base = f"{parent}.{base}" if base else parent
        found.append((line, base))
        found += [(line, f"{base}.{item.split()[0]}") for item in names.strip("()").split(",") if item.split()]
    return found


def test_no_kept_module_can_import_a_dropped_one():
    """Every `import` in what stays of the libraries, and in the app, names only modules that stay: so no
    input, however unusual, reaches a module the trim dropped. A module is dropped when all its files are
    (bezierTools' Cython build goes, its source stays)."""
    files: dict[str, list[tuple[str, Path]]] = {}
    for top in LIBRARIES:
        for path in (SITE / top).rglob("*"):
            if path.suffix in (".py", ".so") and "__pycache__" not in path.parts:
                name = str(path.relative_to(SITE))
                files.setdefault(_module(name), []).append((name, path))
    for path in [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]:
        name = str(path.relative_to(ROOT))
        files.setdefault(_module(name), []).append((name, path))
    dropped = {module for module, found in files.items() if all(lean.reason_to_drop(name) for name, _ in found)}
    assert {"fontTools.cu2qu.cu2qu", "PIL.ImageFont", "aws_lambda_powertools.event_handler", "stdnum.mac"} <= dropped
    reaching, excepted = [], set()
    for module, found in files.items():
        for name, path in found:
            if module in dropped or not name.endswith(".py") or lean.reason_to_drop(name):
                continue
            for line, target in _imports(path, module):
                if target in dropped:
                    known = {(importer, prefix) for importer, prefix in UNREACHED
                             if name == importer and target.startswith(prefix)}
                    excepted |= known
                    if not known:
                        reaching.append(f"{name}:{line} imports {target}")
    assert not reaching
    assert excepted == set(UNREACHED)  # each exception still needed


# Run with the trimmed libraries first on the path; the rest (chalice, boto3, cryptography, zint...) from
# the venv. argv: the trimmed directory.
EVERY_PATH = r'''
import io
import pkgutil
import sys
from pathlib import Path

TRIMMED = Path(sys.argv[1])

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import chalicelib
from chalicelib import config, verifier
from chalicelib.domain import certificates, international
from chalicelib.services import certificate_pdf, international_pdf, qr
from chalicelib.services.pdf import document, label_value_rows

KEY = ec.generate_private_key(ec.SECP256R1())
JWK = verifier.jwk_from_der(KEY.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def sign_raw(message):
    return verifier.jose_signature(KEY.sign(message, ec.ECDSA(hashes.SHA256())))


def content(name):
    def facts(number):
        return certificates.DoseFacts(number, "COVISHIELD", "Serum Institute of India", f"4121Z02{number}",
                                      1795400000 + number, f"2026-0{number}-23", "Dr. K", "Seven Hills Hospital",
                                      "Mumbai", "Maharashtra")
    family, given = international.split_name(name)
    return certificates.Content(
        certificates.Subject("12345678901234", name, 1990, "Female", "Aadhaar Card", "********1234", "female"),
        facts(2), 2, facts(1), certificates.Traveller("K1234567", "1990-04-12", family, given))


# Certificates: a Latin name fills the template (laid out once by fpdf2 with its Hindi labels shaped by
# HarfBuzz); a name in Devanagari, Tamil and Arabic makes fpdf2 lay the whole page out in Noto's faces.
india = config.load_pack("in")
for name in ("Asha Rao", "आशा ராவ் عائشة"):
    claims = certificates.claims(content(name), "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70", 1795400100,
                                 "https://teeka.health/", "IN", "Indian", False, 0)
    signed = verifier.qr_text(verifier.sign(claims, JWK["kid"], sign_raw))
    pdf = certificate_pdf.render(certificates.summary(claims), signed, india, "hi_IN")
    assert pdf.startswith(b"%PDF") and (b"/TkV" in pdf) == (name == "Asha Rao"), name
# The international certificate: its template is made, then the page laid out whole for that name.
issuance = international.Issuance("6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b", 1795400100, "IN", "IND", "Ministry", 365)
ddcc = international.core_data_set(content(name), india.vaccine("COVISHIELD").codes, issuance)
pdf = international_pdf.render(ddcc, "shc:/" + "5676" * 200, "HC1:" + "6BF" * 200, india, "hi_IN")
assert pdf.startswith(b"%PDF") and b"/TkV" not in pdf
slip = document("Appointment slip", ["आशा"])  # as services/slips.py lays one out
label_value_rows(slip, [("नाम / Name", "आशा")])
assert bytes(slip.output()).startswith(b"%PDF")

# Pillow: a QR's PNG opens, every image plugin left loads, colour management has its library.
from PIL import Image, ImageCms

image = Image.open(io.BytesIO(qr.matrix("teeka:/1234").png()))
image.load()
assert image.format == "PNG" and Image.init()
ImageCms.createProfile("sRGB")

# Every pack's ID types: each named checksum resolves and runs, and accepts a valid number where one is known.
VALID = {"stdnum:in_.aadhaar": "234123412346", "stdnum:in_.pan": "ACUPA7085R", "stdnum:in_.epic": "WKH1186253",
         "stdnum:do.cedula": "00113918205"}
checks = 0
for pack in sorted(path.name for path in (TRIMMED / "chalicelib" / "countries").iterdir() if path.is_dir()):
    for id_type in config.load_pack(pack).id_types:
        if id_type.check:
            checks += 1
            validator = config._named_check(id_type.check)
            assert validator(VALID[id_type.check]) if id_type.check in VALID else validator("0" * 12) in (True, False)
assert checks >= 4, checks

# Powertools: every event consumer's imports, and a batch processed as the SQS consumers do.
import chalicelib.events
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalicelib import observability
from chalicelib.services import idempotency

for module in pkgutil.iter_modules(chalicelib.events.__path__):
    __import__(f"chalicelib.events.{module.name}")
observability.logger.info("trimmed")
done = process_partial_response({"Records": [{"messageId": "1", "body": "{}"}]}, lambda record: record.body,
                                BatchProcessor(EventType.SQS), None)
assert done == {"batchItemFailures": []}, done

tops = ("fontTools", "fpdf", "PIL", "uharfbuzz", "stdnum", "aws_lambda_powertools", "chalicelib")
loaded = {name: module.__file__ for name, module in list(sys.modules.items())
          if name.split(".")[0] in tops and getattr(module, "__file__", None)}
assert {name.split(".")[0] for name in loaded} == set(tops), loaded.keys()
outside = {name: path for name, path in loaded.items() if not Path(path).is_relative_to(TRIMMED)}
assert not outside, outside
print("every path ran")
'''


def test_the_trimmed_libraries_run_every_path_the_app_takes_through_them(tmp_path):
    """The libraries as installed and chalicelib, zipped, trimmed and unzipped: a certificate, an
    international certificate and a slip in Devanagari, Tamil and Arabic, the QR's PNG through Pillow,
    every pack's ID checksums and the event consumers' Powertools all run from what the trim left."""
    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as archive:
        for base, top in [(SITE, top) for top in LIBRARIES + SHARED_LIBRARIES] + [(ROOT, "chalicelib")]:
            for path in sorted((base / top).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:  # the small test has a __pycache__
                    archive.write(path, str(path.relative_to(base)))
    lean.trim(package)
    task = tmp_path / "task"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task)
    assert not (task / "fontTools" / "cu2qu").exists() and (task / "fontTools" / "subset").is_dir()
    boot = "import sys; sys.path[:0] = [sys.argv[1]]; sys.path.append(sys.argv[2]); exec(sys.argv[3])"
    env = {**os.environ, "TEEKA_STAGE": "local", "TEEKA_COUNTRY": "in", "AWS_DEFAULT_REGION": "ap-south-1",
           "POWERTOOLS_TRACE_DISABLED": "true"}
    # -I -S: neither the venv's site-packages nor the project first on the path; -B: nothing written.
    done = subprocess.run([sys.executable, "-B", "-I", "-S", "-c", boot, str(task), str(SITE), EVERY_PATH],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "every path ran" in done.stdout, done.stderr[-3000:]
