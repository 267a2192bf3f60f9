"""The Lambda package without what the Lambda never runs: `trim(zip_path)` rewrites `chalice package`'s zip.

Two kinds of things go. The AWS SDK, which the Lambda Python runtime provides (pynamodb pulls botocore
in anyway). And, in the libraries the app does use, what no code path of the app can reach, each named
in UNUSED with the reason. The evidence for UNUSED (tests/infra/test_lean_package.py checks it again):

- what is imported at run time: `sys.modules` after the tests of every path through these libraries
  (domestic certificates from their template and laid out whole by fpdf2 with HarfBuzz shaping, the
  international PDF, QR codes, EU DCC, signing, appointment slips, every pack's ID checksums,
  registration, reports, the event consumers) and a cold start in Lambda's environment, Tracer included;
- what those modules could still import: every `import` in them, function-level ones too, followed
  transitively. A module outside that closure cannot be imported by the app, whatever the input.
  Two lazy imports are exceptions, both behind pydantic, which is not packaged (the Powertools entries).

What stays although never seen imported: all of ttLib's table modules (a font with another table loads
its module by name), every stdnum validator but six (a new pack may name any ID document's), fpdf2 and
uharfbuzz whole, cffi (cryptography's Rust extension embeds a cffi-built OpenSSL module).

`trim` refuses, rather than ship a package that fails at run time, if a pack names a stdnum validator
that UNUSED drops, if a kept extension module needs a shared library that UNUSED drops, if pydantic
is packaged (it would make Powertools' parser and event handler reachable), or if `chalice package`
built a wheel from its sources here: with no wheel for Lambda's platform it compiles one on this machine,
linked against this machine's libraries, and packages it without a word (Pillow 13 has no manylinux2014
wheel: the build linked this machine's libjpeg and libxcb, and left colour management out).
"""
from __future__ import annotations

import fnmatch
import re
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

# The Lambda Python runtime ships these; pynamodb pulls botocore in anyway (20 MB unzipped).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")


def _each(reason: str, *patterns: str) -> dict[str, str]:
    return dict.fromkeys(patterns, reason)


# fnmatch patterns on the zip's paths (`*` crosses `/`) -> why the Lambda never needs what they match.
UNUSED: dict[str, str] = {
    # Anywhere.
    **_each("stale bytecode from the build machine's working tree (a few files, not the sources shipped): "
            "trim compiles every module afresh", "*__pycache__/*"),
    **_each("type hints: read by type checkers only", "*.pyi", "*-stubs/*", "*py.typed"),
    **_each("C sources of extensions shipped compiled beside them (fontTools' Cython output, wrapt)", "*.c"),
    **_each("wheels' install-time data: fontTools' man page, jmespath's jp.py script", "*.data/*"),
    **_each("uharfbuzz's own test helpers, an extension nothing imports", "uharfbuzz/_harfbuzz_test.*"),
    # fontTools (23 MB): fpdf2 reads the TrueType fonts it embeds and subsets them (fontTools.subset,
    # which imports varLib's instancer, cffLib, otlLib, colorLib, feaLib's AST). It never builds,
    # merges, converts or draws fonts.
    **_each("font building, conversion and merging: cubic/quadratic curve conversion (Cython, 4 MB), "
            "UFO sources, VOLT and Monotype feature files, font merging and diffing",
            "fontTools/cu2qu/*", "fontTools/qu2cu/*", "fontTools/ufoLib/*", "fontTools/voltLib/*",
            "fontTools/mtiLib/*", "fontTools/merge/*", "fontTools/diff/*", "fontTools/fontBuilder.py",
            "fontTools/ttLib/scaleUpem.py", "fontTools/annotations.py"),
    **_each("the feature-file compiler (lexer in Cython, 2.5 MB): fpdf2's subsetting needs only feaLib's "
            "AST, which stays", "fontTools/feaLib/lexer.*", "fontTools/feaLib/parser.py",
            "fontTools/feaLib/builder.py", "fontTools/feaLib/variableScalar.py"),
    **_each("variable-font building and checking: fpdf2 embeds static fonts and needs only the instancer, "
            "which stays", "fontTools/varLib/avar/*", "fontTools/varLib/avarPlanner.py",
            "fontTools/varLib/hvar.py", "fontTools/varLib/interpolat*", "fontTools/varLib/mutator.py",
            "fontTools/varLib/plot.py"),
    **_each("other font formats (Type 1, AFM, TFM) and their PostScript helpers",
            "fontTools/t1Lib/*", "fontTools/afmLib.py", "fontTools/tfmLib.py", "fontTools/misc/eexec.py",
            "fontTools/misc/psLib.py", "fontTools/misc/psOperators.py", "fontTools/encodings/MacRoman.py"),
    **_each("pens that draw or measure outlines for other tools (momentsPen is Cython, 1.8 MB): "
            "subsetting uses the bounds, transform, recording and TrueType pens, which stay",
            "fontTools/pens/areaPen.py", "fontTools/pens/cairoPen.py", "fontTools/pens/cocoaPen.py",
            "fontTools/pens/cu2quPen.py", "fontTools/pens/explicitClosingLinePen.py",
            "fontTools/pens/freetypePen.py", "fontTools/pens/hashPointPen.py", "fontTools/pens/momentsPen.*",
            "fontTools/pens/perimeterPen.py", "fontTools/pens/pointInsidePen.py", "fontTools/pens/qtPen.py",
            "fontTools/pens/qu2cuPen.py", "fontTools/pens/quartzPen.py", "fontTools/pens/reportLabPen.py",
            "fontTools/pens/roundingPen.py", "fontTools/pens/statisticsPen.py", "fontTools/pens/svgPathPen.py",
            "fontTools/pens/teePen.py", "fontTools/pens/wxPen.py"),
    **_each("command lines, tests' helpers and the filesystem layer of UFO sources",
            "fontTools/*__main__.py", "fontTools/help.py", "fontTools/misc/filesystem/*",
            "fontTools/misc/testTools.py", "fontTools/misc/symfont.py", "fontTools/misc/py23.py",
            "fontTools/misc/enumTools.py"),
    **_each("the Cython builds of two modules whose pure-Python sources stay beside them (fontTools "
            "imports the source when the build is absent): curve maths for CFF and SVG outlines, and "
            "variable fonts' delta interpolation. Imported by subsetting, never called for fpdf2's "
            "static TrueType fonts (7 MB)", "fontTools/misc/bezierTools.*.so", "fontTools/varLib/iup.*.so"),
    # Powertools (3.5 MB): the app uses Logger, Metrics, Tracer, batch, data_classes and idempotency.
    **_each("Powertools' own API router with its 1.5 MB Swagger UI: the API is Chalice's. Reached "
            "otherwise only by serialising a pydantic model, and pydantic is not packaged",
            "aws_lambda_powertools/event_handler/*"),
    **_each("pydantic models: the batch utility imports them only where pydantic is loaded, and it is not "
            "packaged", "aws_lambda_powertools/utilities/parser/*"),
    **_each("utilities the app never imports and no kept module imports",
            "aws_lambda_powertools/utilities/parameters/*", "aws_lambda_powertools/utilities/feature_flags/*",
            "aws_lambda_powertools/utilities/circuit_breaker/*", "aws_lambda_powertools/utilities/auth_alpha/*",
            "aws_lambda_powertools/utilities/kafka/*", "aws_lambda_powertools/utilities/data_masking/*",
            "aws_lambda_powertools/utilities/streaming/*", "aws_lambda_powertools/utilities/validation/*",
            "aws_lambda_powertools/utilities/metadata/*"),
    # python-stdnum (3.3 MB): a pack may name any validator of an ID document (config.py). These six
    # number no person and carry most of stdnum's data; `trim` refuses a pack that names one.
    **_each("MAC addresses and their vendors' registry (1.2 MB)", "stdnum/mac.py", "stdnum/oui.dat"),
    **_each("SIM cards' subscriber identities and the operators' registry", "stdnum/imsi.py", "stdnum/imsi.dat"),
    **_each("financial instruments, barcodes' application identifiers, libraries and the EU's classes of "
            "economic activity", "stdnum/cfi.py", "stdnum/cfi.dat", "stdnum/gs1_128.py", "stdnum/gs1_ai.dat",
            "stdnum/isil.py", "stdnum/isil.dat", "stdnum/eu/nace.py", "stdnum/eu/nace*.dat"),
    # Pillow: fpdf2 opens the QR codes' PNGs with it (Image.open, ImageCms for ICC profiles). Nothing
    # draws, renders text or reads another image format.
    **_each("image formats the app never reads: fpdf2 is given only its own PNG QR codes (Pillow skips "
            "a plugin that fails to import when it looks for a format)", "PIL/*ImagePlugin.py"),
    **_each("drawing, text rendering (FreeType), image maths and filters, screen and GUI bindings, and "
            "the font and archive readers they use",
            "PIL/ImageDraw.py", "PIL/ImageDraw2.py", "PIL/ImageFont.py", "PIL/ImageText.py", "PIL/ImageMath.py",
            "PIL/ImageMorph.py", "PIL/ImageEnhance.py", "PIL/ImageStat.py", "PIL/ImagePath.py",
            "PIL/ImageTransform.py", "PIL/ImageTk.py", "PIL/ImageGrab.py", "PIL/PSDraw.py", "PIL/PdfParser.py",
            "PIL/FontFile.py", "PIL/BdfFontFile.py", "PIL/PcfFontFile.py", "PIL/GdImageFile.py",
            "PIL/WalImageFile.py", "PIL/ContainerIO.py", "PIL/TarIO.py", "PIL/report.py", "PIL/__main__.py",
            "PIL/_tkinter_finder.py", "PIL/_imagingft.*", "PIL/_imagingmath.*", "PIL/_imagingmorph.*",
            "PIL/_imagingtk.*", "PIL/_webp.*", "PIL/_avif.*"),
    **_each("the shared libraries of the extensions above only (FreeType and its HarfBuzz, PNG and Brotli; "
            "WebP; AVIF): a kept extension needing one stops the trim",
            "pillow.libs/libfreetype-*", "pillow.libs/libharfbuzz-*", "pillow.libs/libpng16-*",
            "pillow.libs/libbrotli*", "pillow.libs/libwebp*", "pillow.libs/libsharpyuv-*", "pillow.libs/libavif-*"),
}

# Matched by UNUSED's patterns but needed.
KEPT: dict[str, str] = {
    **_each("Image.preinit imports these five to open or save any image; fpdf2 imports TIFF's, JPEG's "
            "imports MPO's", "PIL/BmpImagePlugin.py", "PIL/GifImagePlugin.py", "PIL/JpegImagePlugin.py",
            "PIL/PpmImagePlugin.py", "PIL/PngImagePlugin.py", "PIL/TiffImagePlugin.py", "PIL/MpoImagePlugin.py"),
    **_each("GIF's plugin (one of the five) imports image maths at its top", "PIL/ImageMath.py",
            "PIL/_imagingmath.*"),
}

PACKS = "chalicelib/countries/*/pack.toml"
STDNUM_CHECK = re.compile(r"stdnum:([A-Za-z0-9_.]+)")


class TrimError(RuntimeError):
    """The trim would break a code path of the app: UNUSED must change first."""


def runtime_provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    return top in RUNTIME_PROVIDED or any(top.startswith(f"{sdk}-") and top.endswith(".dist-info")
                                          for sdk in RUNTIME_PROVIDED)


def reason_to_drop(name: str) -> str | None:
    """Why the Lambda never needs the zip entry `name`, or None if it stays."""
    if runtime_provided(name):
        return "the Lambda Python runtime provides the AWS SDK"
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in KEPT):
        return None
    return next((reason for pattern, reason in UNUSED.items() if fnmatch.fnmatchcase(name, pattern)), None)


def trim(zip_path: Path, bytecode_python: str | None = None) -> None:
    """Rewrite the deployment package at `zip_path` without the SDK and what UNUSED names; with every
    module's bytecode beside it when `bytecode_python` (the runtime's Python: infra/package.py) is given."""
    trimmed = zip_path.with_suffix(".trimmed.zip")
    with zipfile.ZipFile(zip_path) as source, tempfile.TemporaryDirectory() as scratch:
        entries = source.infolist()
        dropped = {entry.filename for entry in entries if reason_to_drop(entry.filename)}
        _check(source, dropped)
        with zipfile.ZipFile(trimmed, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in entries:
                if entry.filename not in dropped:
                    content = source.read(entry.filename)
                    if bytecode_python and entry.filename.endswith(".py"):
                        module = Path(scratch) / entry.filename
                        module.parent.mkdir(parents=True, exist_ok=True)
                        module.write_bytes(content)
                    target.writestr(entry, content)  # same name, date, mode, compression
            if bytecode_python:
                for name, compiled in _bytecode(Path(scratch), bytecode_python):
                    target.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), compiled, zipfile.ZIP_DEFLATED)
    trimmed.replace(zip_path)


def _bytecode(sources: Path, python: str) -> Iterator[tuple[str, bytes]]:
    """Every module under `sources` compiled by `python`, as (its name in the package, its bytecode).

    Lambda's /var/task is read-only, so Python cannot cache what it compiles: without this every cold
    start compiles every module it imports. Unchecked-hash bytecode is used whatever the files' dates (a
    zip's are 1980). A module that does not compile (never imported, then) is left without."""
    subprocess.run([python, "-m", "compileall", "-q", "-q", "-d", "/var/task", "--invalidation-mode",
                    "unchecked-hash", str(sources)], check=False)
    for compiled in sorted(sources.rglob("__pycache__/*.pyc")):
        yield compiled.relative_to(sources).as_posix(), compiled.read_bytes()


def _check(source: zipfile.ZipFile, dropped: set[str]) -> None:
    names = set(source.namelist())
    for wheel in sorted(name for name in names - dropped if fnmatch.fnmatchcase(name, "*.dist-info/WHEEL")):
        for tag in re.findall(r"^Tag: *(\S+)", source.read(wheel).decode(), re.MULTILINE):
            if not tag.endswith("-any") and "-manylinux" not in tag:
                raise TrimError(f"{wheel.split('.dist-info')[0]} was built from its sources on this machine ({tag}): "
                                "its extensions link this machine's shared libraries, which Lambda's image need not "
                                "have. Pin a version that has a manylinux2014 wheel.")
    if any(name.startswith("pydantic/") for name in names):
        raise TrimError("pydantic is packaged: Powertools' parser and event handler are reachable; review UNUSED")
    for pack in sorted(name for name in names if fnmatch.fnmatchcase(name, PACKS)):
        for module in STDNUM_CHECK.findall(source.read(pack).decode()):
            path = "stdnum/" + module.replace(".", "/")
            if {f"{path}.py", f"{path}/__init__.py"} & dropped:
                raise TrimError(f"{pack} checks IDs with stdnum.{module}, which UNUSED drops")
    libraries = {name.rsplit("/", 1)[-1]: name for name in dropped if ".so" in name.rsplit("/", 1)[-1]}
    for name in sorted(names - dropped):
        if name.endswith(".so") or ".so." in name:
            for needed in _needed(source.read(name)):
                if needed in libraries:
                    raise TrimError(f"{name} needs {needed}, which UNUSED drops ({libraries[needed]})")


def _needed(elf: bytes) -> list[str]:
    """The shared libraries a 64-bit little-endian ELF file names as DT_NEEDED (none for anything else)."""
    if elf[:6] != b"\x7fELF\x02\x01":
        return []
    (section_headers,) = struct.unpack_from("<Q", elf, 0x28)
    entry_size, count = struct.unpack_from("<HH", elf, 0x3A)
    # Each: name, type, flags, address, offset, size, link, info, alignment, entry size.
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, section_headers + index * entry_size) for index in range(count)]
    needed = []
    for _, kind, _, _, offset, size, link, *_ in sections:
        if kind == 6:  # SHT_DYNAMIC; its link is the string table
            strings = sections[link][4]
            for at in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", elf, at)
                if tag == 1:  # DT_NEEDED
                    start = strings + value
                    needed.append(elf[start:elf.index(b"\0", start)].decode())
                elif tag == 0:
                    break
    return needed
