"""docs/deploy.md lists every business metric the code emits, and the dashboard plots only real ones."""
import re

from tests.conftest import ROOT

EMITTED = re.compile(r'add_metric\(name=(f?)"([^"]+)"')


def emitted_metrics() -> set[str]:
    from chalicelib.domain.vaccination import AEFI_SEVERITIES

    names = set()
    for source in (ROOT / "chalicelib").rglob("*.py"):
        for formatted, name in EMITTED.findall(source.read_text()):
            if formatted:  # the one formatted name: an adverse event's class
                assert name == "Aefi{report.severity.capitalize()}", (source, name)
                names |= {f"Aefi{severity.capitalize()}" for severity in AEFI_SEVERITIES}
            else:
                names.add(name)
    return names


def documented_metrics() -> set[str]:
    text = (ROOT / "docs" / "deploy.md").read_text()
    table = text.split("**Metrics.**", 1)[1].split("\n\n", 2)[1]
    return {name for row in table.splitlines()[2:] for name in re.findall(r"`(\w+)`", row.split("|")[1])}


def test_every_metric_the_code_emits_is_documented_and_nothing_else():
    assert emitted_metrics() == documented_metrics()


def test_the_dashboard_plots_only_metrics_the_code_emits():
    from infra.monitoring import DASHBOARD_ROWS

    plotted = {name for _, names in DASHBOARD_ROWS for name in names}
    assert plotted <= emitted_metrics(), plotted - emitted_metrics()
