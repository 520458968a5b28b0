"""Jaaroverzicht: the anonymised yearly overview of a municipality's reports, for the presidium (issue 14 item 3).

The Nijmegen protocol, § 4.1 "Dialoog, training": "Jaarlijks wordt een geanonimiseerd verslag gemaakt van de
incidenten." This page, its CSV and `make overview` show only what actions.store.overview.anonymise returns:
counts per category, role, medium, month, aangifte and nazorg given, where 1 to 4 is "< 5", a count that would
give a "< 5" back is "×", and a split that cannot be made safe is not shown (the rule is in that module). No free text,
no reference, no date finer than a month. The plots are drawn from the same shown values: a "< 5" is a
hatched box labelled "< 5" without a height, a "×" has no bar.

Who sees it: a logged-in account sees its own municipality (the account's municipality, as for the inbox);
the functional administrator may choose any municipality, since the overview holds no report content.
Downloading the CSV writes an audit row ("exported"), as the report export does.
"""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.knowledge import ROLE_LABELS
from actions.report_fields import MEDIA
from actions.store import db, inbox
from actions.store import overview as store
from actions.store.models import Municipality
from channels.griffie.accounts import Account
from channels.griffie.pages import CSP, MONTHS, client_address, current_account, e, page

PROTOCOL = ("Nijmegen, § 4.1 Dialoog, training", "Jaarlijks wordt een geanonimiseerd verslag gemaakt van de incidenten.")
TITLES = {
    "categorie": "Per categorie",
    "rol": "Per rol van de melder",
    "medium": "Per medium (hoe het gebeurde)",
    "maand": "Per maand",
    "aangifte": "Aangifte bij de politie",
    "nazorg": "Nazorg gegeven",
}
CATEGORY_LABELS = {"A": "A – 'ik'-gedrag (emotie)", "B": "B – 'jullie'-gedrag (kritiek op beleid)",
                   "C": "C – 'jij'-gedrag (persoonlijk gericht)", "D": "D – bedreiging, intimidatie of geweld"}
RULE_TEXT = ("Geanonimiseerd: een aantal van 1 tot en met 4 staat er als '< 5'; een 0 blijft 0. Een aantal waarmee u een "
             "'< 5' zou kunnen terugrekenen (het totaal min de andere cellen) staat er als '×'. Kan een verdeling zo niet "
             "veilig worden getoond, dan staat alleen het totaal er. Niet meegeteld: ingetrokken meldingen en meldingen "
             "die de melder heeft laten wissen. Nazorg gegeven: de melder wilde nazorg en kreeg minstens één bericht "
             "'Hoe gaat het nu met u?'.")
EXTRA_CSS = ".chart img { max-width: 100%; height: auto; } td.n, th.n { text-align: right; } .chart { margin: 1rem 0 2rem; }"
NOTE = ": '&lt; 5' is gearceerd en heeft geen lengte; '×' is verborgen."
PAGE_CSP = CSP + "; img-src data:"  # the plots are SVG images in data: URLs (nothing from the network)


def cell_label(table: str, key: str) -> str:
    if key == store.UNKNOWN:
        return "onbekend" if table != "categorie" else "niet bepaald"
    if table == "categorie":
        return CATEGORY_LABELS.get(key, key)
    if table == "rol":
        return ROLE_LABELS.get(key, key)
    if table == "medium":
        return MEDIA.get(key, key)
    if table == "maand":
        return MONTHS[int(key) - 1]
    return key


# --- CSV ------------------------------------------------------------------------------------------------------

CSV_HEADER = ["jaar", "gemeente", "onderdeel", "waarde", "aantal"]


def as_csv(overview: store.Overview) -> str:
    """Semicolon-separated (Dutch Excel), header first: one row per shown cell, the total first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    base = [overview.year, overview.municipality_key]
    writer.writerow([*base, "totaal", "meldingen", overview.total.shown])
    for table in overview.tables:
        for cell in table.cells:
            writer.writerow([*base, table.key, cell_label(table.key, cell.key), cell.shown])
    return out.getvalue()


# --- plots ----------------------------------------------------------------------------------------------------


def plot_svg(table: store.Table, title: str) -> str | None:
    """A horizontal bar chart of the shown values as SVG text, or None when there is nothing to draw.
    Only `Cell.value` (0 or 5 and more) gives a bar a length; "< 5" is a hatched box from 0 to 5 labelled
    "< 5" (the same for 1 and 4), "×" gets its label and no bar. Axis ticks are multiples of 5."""
    if table.withheld or all(c.value == 0 for c in table.cells):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = [cell_label(table.key, c.key) for c in table.cells]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "meldhulp", "font.size": 10,
                                "font.family": "DejaVu Sans"}):
        fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.32 * len(labels)))
        positions = list(range(len(labels)))
        widths = [c.value or 0 for c in table.cells]
        ax.barh(positions, widths, color="#0b4f9c", height=0.7)
        small = [i for i, c in enumerate(table.cells) if c.small]
        if small:
            ax.barh(small, [store.THRESHOLD] * len(small), height=0.7, color="none", edgecolor="#555555", hatch="///",
                    linewidth=0.8)
        top = max([store.THRESHOLD, *widths])
        for i, cell in enumerate(table.cells):
            x = (cell.value or 0) if cell.value is not None else (store.THRESHOLD if cell.small else 0)
            ax.text(x + top * 0.01, i, cell.shown, va="center", ha="left", color="#1a1a1a")
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[5, 10]))
        ax.set_xlabel("aantal meldingen")
        ax.set_title(title, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
    return out.getvalue()


def _img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{e(alt)}">'


# --- HTML -----------------------------------------------------------------------------------------------------


def _table_html(table: store.Table) -> str:
    title = TITLES[table.key]
    if table.withheld:
        return (f"<h2>{e(title)}</h2><p>Deze verdeling wordt niet getoond: met zo weinig meldingen zou een aantal "
                "kleiner dan 5 terug te rekenen zijn.</p>")
    rows = "".join(f'<tr><th scope="row">{e(cell_label(table.key, c.key))}</th><td class="n">{e(c.shown)}</td></tr>'
                   for c in table.cells)
    html = (f'<h2>{e(title)}</h2><table><caption>{e(title)}</caption><thead><tr><th scope="col">Waarde</th>'
            f'<th scope="col" class="n">Aantal meldingen</th></tr></thead><tbody>{rows}</tbody></table>')
    svg = plot_svg(table, title)
    if svg is not None:
        html += (f'<figure class="chart">{_img(svg, f"Staafdiagram: {title.lower()}. De aantallen staan in de tabel hierboven.")}'
                 f"<figcaption>{e(title)}{NOTE if any(c.value is None for c in table.cells) else ''}</figcaption></figure>")
    return html


def body_html(overview: store.Overview, name: str) -> str:
    """The overview as HTML (the griffie page and the `make overview FORMAT=html` file share it)."""
    source, quote = PROTOCOL
    parts = [
        f"<p>Geanonimiseerd overzicht van de meldingen van {e(name)} in {overview.year}, voor het presidium. "
        f"Protocol {e(source)}: <q>{e(quote)}</q></p>",
        f"<p>{e(RULE_TEXT)}</p>",
        f"<p><strong>Aantal meldingen in {overview.year}: {e(overview.total.shown)}</strong></p>",
    ]
    if overview.total.value is None:
        parts.append("<p>Minder dan 5 meldingen: er wordt geen verdeling getoond, want dan zijn personen te herkennen.</p>")
    parts += [_table_html(t) for t in overview.tables]
    return "".join(parts)


def standalone_html(overview: store.Overview, name: str) -> str:
    """A whole HTML file (for `make overview FORMAT=html`): the same body, its own small stylesheet."""
    style = ("body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;color:#1a1a1a;line-height:1.5}"
             "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc}"
             + EXTRA_CSS)
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Jaaroverzicht {e(name)} {overview.year}'
            f"</title><style>{style}</style></head><body><h1>Jaaroverzicht {e(name)} {overview.year}</h1>"
            f"{body_html(overview, name)}<p><small>Gemaakt op {datetime.now(store.AMSTERDAM):%d-%m-%Y}.</small></p></body></html>")


def municipality_name(session: Session, key: str) -> str:
    found = session.get(Municipality, key)
    return (found.name if found is not None and found.name else key.capitalize())


def municipalities(session: Session) -> list[tuple[str, str]]:
    return [(m.key, m.name or m.key) for m in session.scalars(select(Municipality).order_by(Municipality.key))]


# --- the page -------------------------------------------------------------------------------------------------


def _choice(request: web.Request, account: Account, session: Session) -> tuple[str, int, list[int], list[tuple[str, str]]]:
    """The municipality (the account's own; the administrator's choice) and year of the request, validated."""
    options: list[tuple[str, str]] = []
    if account.admin:
        options = municipalities(session)
        keys = [k for k, _ in options]
        wanted = request.query.get("gemeente", "")
        key = wanted if wanted in keys else (keys[0] if keys else "")
    else:
        key = account.municipality
    years = store.years_with_reports(session, key)
    try:
        year = int(request.query.get("jaar", ""))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    return key, year, years, options


def _form(key: str, year: int, years: list[int], options: list[tuple[str, str]]) -> str:
    year_options = "".join(f'<option value="{y}"{" selected" if y == year else ""}>{y}</option>' for y in years)
    municipality = ""
    if options:
        choices = "".join(f'<option value="{e(k)}"{" selected" if k == key else ""}>{e(n)}</option>' for k, n in options)
        municipality = (f'<div class="field"><label for="o-gemeente">Gemeente</label>'
                        f'<select id="o-gemeente" name="gemeente">{choices}</select></div>')
    return ('<form method="get" action="/griffie/jaaroverzicht" class="filters"><fieldset><legend>Kies het jaar</legend>'
            f'{municipality}<div class="field"><label for="o-jaar">Jaar</label><select id="o-jaar" name="jaar">{year_options}</select></div>'
            '<button>Toon overzicht</button></fieldset></form>')


async def overview_page(request: web.Request) -> web.Response:
    account, csrf = current_account(request)
    with db.session() as session:
        key, year, years, options = _choice(request, account, session)
        result = store.overview(session, year, key)
        name = municipality_name(session, key)
    query = f"jaar={year}" + (f"&gemeente={key}" if account.admin else "")
    body = (f'<link rel="stylesheet" href="/griffie/static/jaaroverzicht.css">{_form(key, year, years, options)}'
            f'<p><a href="/griffie/jaaroverzicht.csv?{e(query)}" download>Download als CSV (voor het presidium)</a></p>'
            f"{body_html(result, name)}")
    return page("Jaaroverzicht", body, account, csrf, current="/griffie/jaaroverzicht",
                headers={"Content-Security-Policy": PAGE_CSP})


async def overview_csv(request: web.Request) -> web.Response:
    account, _csrf = current_account(request)
    with db.transaction() as session:
        key, year, _years, _options = _choice(request, account, session)
        result = store.overview(session, year, key)
        inbox.audit(session, account.username, "exported", None, client_address(request),
                    detail=f"jaaroverzicht {year} {key}, geanonimiseerd, csv")
    name = f"jaaroverzicht-{key}-{year}.csv"
    return web.Response(text=as_csv(result), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})


async def overview_css(_: web.Request) -> web.Response:
    return web.Response(text=EXTRA_CSS, content_type="text/css", headers={"Cache-Control": "max-age=3600"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/griffie/jaaroverzicht", overview_page)
    app.router.add_get("/griffie/jaaroverzicht.csv", overview_csv)
    app.router.add_get("/griffie/static/jaaroverzicht.css", overview_css)


def render(overview: store.Overview, name: str, fmt: str) -> str:
    """`make overview`: the CSV or the whole HTML file."""
    return standalone_html(overview, name) if fmt == "html" else as_csv(overview)

