// The public dashboard (/dashboard): the country's vaccination figures, drilled down to a state, a
// district and its sites. Everything shown comes from the public API:
//   GET /v1/reports/v2/getPublicReports?state_id=&district_id=&date=   (CoWIN's answer)
//   GET /v2/admin/location/states, /v2/admin/location/districts/{id}   (the area names)
//   GET /v2/web/texts?lang=                                             (the page's words, web/texts.js)
// The area and date in view live in the URL hash (#state=21&district=395&date=2026-11-30), so a view can
// be linked and the back button walks back up. No libraries: the charts are inline SVG and CSS bars.
import { t, loadTexts, language } from "/web/texts.js";

const REPORTS = "/v1/reports/v2/getPublicReports";
const LANGUAGE_KEY = "teeka.dashboard.language";
const DOSES = [
  { key: "dose_one", label: () => t("Dose 1"), className: "dose-1" },
  { key: "dose_two", label: () => t("Dose 2"), className: "dose-2" },
  { key: "dose_pd", label: () => t("Precaution dose"), className: "dose-pd" },
];
// vaccination's keys that are not a vaccine (every other key is a vaccine's doses)
const NOT_VACCINES = new Set(["total", "male", "female", "others", "tot_dose_1", "tot_dose_2", "tot_pd",
  "total_doses", "today", "today_dose_one", "today_dose_two", "today_pd", "today_male", "today_female",
  "today_others", "aefi", "today_aefi"]);

const app = document.getElementById("app");
const names = { states: null, districts: new Map() }; // id -> name, in the current language
let view = readHash();
let answer = null; // the last getPublicReports answer shown
let answered = ""; // the hash of the view that answer is for (main's data-view: tests wait for it)
let failed = false;
let countryToday = null; // the country's date, from an answer for "today"
let loads = 0; // only the newest load may draw

// ---- the view in the URL hash ---------------------------------------------------------------------

function readHash() {
  const query = new URLSearchParams(location.hash.slice(1));
  const id = (name) => (/^\d{1,6}$/.test(query.get(name) || "") ? query.get(name) : "");
  const state = id("state");
  const date = query.get("date") || "";
  return { state, district: state ? id("district") : "", date: /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : "" };
}

function hashOf(next) {
  const query = new URLSearchParams();
  if (next.state) query.set("state", next.state);
  if (next.state && next.district) query.set("district", next.district);
  if (next.date) query.set("date", next.date);
  const text = query.toString();
  return text ? `#${text}` : "#";
}

function go(next) {
  const hash = hashOf(next);
  if (hash === (location.hash || "#")) return;
  location.hash = hash; // a new history entry; hashchange loads it
}

// ---- the API --------------------------------------------------------------------------------------

// fresh: the figures are revalidated (ETag) on every view, never taken from the browser's cache unasked
async function getJson(url, cache = "default") {
  const headers = { "Accept-Language": language().language, Accept: "application/json" };
  const response = await fetch(url, { headers, cache });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function stateNames() {
  if (!names.states) {
    const { states } = await getJson("/v2/admin/location/states");
    names.states = new Map(states.map((s) => [String(s.state_id), (s.state_name_l || s.state_name).trim()]));
  }
  return names.states;
}

async function districtNames(stateId) {
  if (!names.districts.has(stateId)) {
    const { districts } = await getJson(`/v2/admin/location/districts/${encodeURIComponent(stateId)}`);
    names.districts.set(stateId, new Map(districts.map((d) => [String(d.district_id),
      (d.district_name_l || d.district_name).trim()])));
  }
  return names.districts.get(stateId);
}

async function load() {
  const mine = ++loads;
  const wanted = view;
  app.setAttribute("aria-busy", "true");
  const query = new URLSearchParams({ state_id: wanted.state, district_id: wanted.district, date: wanted.date });
  try {
    const [report] = await Promise.all([
      getJson(`${REPORTS}?${query}`, "no-cache"),
      stateNames().catch(() => null), // the names are a nicety: the figures stand without them
      wanted.state ? districtNames(wanted.state).catch(() => null) : null,
    ]);
    if (mine !== loads) return;
    answer = report;
    answered = hashOf(wanted);
    failed = false;
    const days = report.last7DaysVaccination || [];
    if (!wanted.date && days.length) countryToday = days[days.length - 1].vaccine_date;
  } catch (error) {
    if (mine !== loads) return;
    console.error(error);
    failed = true;
  }
  app.removeAttribute("aria-busy");
  draw();
}

// ---- formatting -----------------------------------------------------------------------------------

function locale() {
  return language().language.replace("_", "-");
}

function number(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "—";
  try {
    return new Intl.NumberFormat(locale()).format(value);
  } catch (unknownLocale) {
    return new Intl.NumberFormat().format(value);
  }
}

function dateFormat(options) {
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" });
  } catch (unknownLocale) {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" });
  }
}

// "2026-11-30" or "2026-11-30 14:36:14" (the country's own clock) as a UTC instant, so that no time zone moves it
function instant(text) {
  const [y, m, d, hh = 0, mm = 0, ss = 0] = String(text).split(/[-: T]/).map(Number);
  return new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
}

function day(text, options = { day: "numeric", month: "short" }) {
  return dateFormat(options).format(instant(text));
}

function ageLabel(key) {
  let match = /^vac_(\d+)_(\d+)$/.exec(key);
  if (match) return `${match[1]}–${match[2]}`;
  match = /^above_(\d+)$/.exec(key);
  if (match) return `${match[1]}+`;
  match = /^below_(\d+)$/.exec(key);
  if (match) return t("Under {age}", { age: match[1] });
  return key;
}

function ageFrom(key) {
  if (key.startsWith("below_")) return -1;
  const match = /(\d+)/.exec(key);
  return match ? Number(match[1]) : Infinity;
}

// ---- DOM helpers ----------------------------------------------------------------------------------

function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

function s(tag, attributes = {}, ...children) {
  return build(document.createElementNS("http://www.w3.org/2000/svg", tag), attributes, children);
}

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// ---- the page -------------------------------------------------------------------------------------

function draw() {
  document.title = `${t("Vaccination dashboard")} · Teeka`;
  const focused = document.activeElement && document.activeElement.id;
  app.replaceChildren(header(), main());
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

function header() {
  const { languages } = language();
  const picker = h("select", { id: "language", "data-testid": "language", onchange: (event) => chooseLanguage(event.target.value) },
    languages.map(({ code, name }) => h("option", { value: code, selected: code === language().language, lang: code.replace("_", "-") }, name)));
  const date = h("input", {
    id: "date", type: "date", "data-testid": "date", value: view.date || countryToday || "", max: countryToday,
    onchange: (event) => go({ ...view, date: event.target.value === countryToday ? "" : event.target.value }),
  });
  return h("header", { class: "top" },
    h("div", { class: "wrap top-row" },
      h("h1", { "data-testid": "title" }, t("Vaccination dashboard")),
      h("div", { class: "controls" },
        languages.length > 1 ? h("label", { class: "control" }, h("span", {}, t("Language")), picker) : null,
        h("label", { class: "control" }, h("span", {}, t("Date")), date),
        view.date ? h("button", { type: "button", class: "link-button", onclick: () => go({ ...view, date: "" }) }, t("Today")) : null)));
}

function main() {
  const current = answered === hashOf(view);
  const content = h("main", { class: current ? "wrap" : "wrap stale", "data-view": current ? answered : null },
    breadcrumb());
  if (failed) {
    content.append(h("div", { class: "notice error", role: "alert", "data-testid": "error" },
      h("p", {}, t("The figures could not be loaded.")),
      h("button", { type: "button", onclick: load }, t("Try again"))));
    return content;
  }
  if (!answer) {
    content.append(h("p", { class: "notice", "data-testid": "loading" }, t("Loading…")));
    return content;
  }
  const top = answer.topBlock || {};
  const vaccination = top.vaccination || {};
  content.append(
    h("div", { class: "heading-row" },
      h("h2", { "data-testid": "area-name" }, areaName()),
      answer.timestamp ? h("p", { class: "as-of", "data-testid": "as-of" },
        t("As of {time}", { time: dateFormat({ dateStyle: "medium", timeStyle: "short" }).format(instant(answer.timestamp)) })) : null),
    figures(vaccination, top),
    h("div", { class: "grid" },
      lastDays(answer.last7DaysVaccination || []),
      byHour(answer.vaccinationDoneByTime || []),
      byDose(vaccination),
      byVaccine(vaccination),
      byAge(answer.vaccinationByAge || {}),
      byGender(vaccination)),
    areas(answer.getBeneficiariesGroupBy || []));
  return content;
}

function stateName(id) {
  return (names.states && names.states.get(id)) || groupTitle(id) || t("State {id}", { id });
}

function districtName(stateId, id) {
  const districts = names.districts.get(stateId);
  return (districts && districts.get(id)) || t("District {id}", { id });
}

function groupTitle(id) {
  // at the national level the rows name the states
  const row = !view.state && answer && (answer.getBeneficiariesGroupBy || []).find((r) => String(r.state_id) === id);
  return row ? row.title_l || row.title : "";
}

function areaName() {
  if (view.district) return districtName(view.state, view.district);
  if (view.state) return stateName(view.state);
  return t("Whole country");
}

function breadcrumb() {
  if (!view.state) return null; // the heading names the country; nothing to go back up to
  const steps = [{ label: t("Whole country"), to: { date: view.date } }];
  if (view.state) steps.push({ label: stateName(view.state), to: { state: view.state, date: view.date } });
  if (view.district) steps.push({ label: districtName(view.state, view.district), to: { ...view } });
  return h("nav", { class: "breadcrumb", "aria-label": t("Area"), "data-testid": "breadcrumb" },
    h("ol", {}, steps.map((step, index) => h("li", {},
      index === steps.length - 1
        ? h("span", { "aria-current": "page" }, step.label)
        : h("a", { href: hashOf(step.to), "data-testid": `crumb-${index}` }, step.label)))));
}

function isToday() {
  return !view.date || view.date === countryToday;
}

function figures(vaccination, top) {
  const card = (testid, label, value, note) => h("div", { class: "figure" },
    h("p", { class: "figure-label" }, label),
    h("p", { class: "figure-value", "data-testid": testid, "data-value": value ?? "" }, number(value)),
    note ? h("p", { class: "figure-note" }, note) : null);
  const todayLabel = isToday() ? t("Doses today") : t("Doses on {date}", { date: day(view.date, { dateStyle: "medium" }) });
  const sites = top.sites || {};
  return h("section", { class: "figures", "aria-label": t("Key figures") },
    card("total-doses", t("Total doses"), vaccination.total_doses),
    card("people-vaccinated", t("People with at least one dose"), vaccination.total),
    card("fully-vaccinated", t("People with dose 2 (fully vaccinated)"), vaccination.tot_dose_2),
    card("today-doses", todayLabel, vaccination.today,
      typeof sites.today === "number" ? t("{sites} sites with a session", { sites: number(sites.today) }) : null));
}

function section(title, testid, ...body) {
  return h("section", { class: "panel", "data-testid": testid }, h("h3", {}, title), ...body);
}

function legend(items) {
  return h("ul", { class: "legend" }, items.map((item) => h("li", {}, h("span", { class: `swatch ${item.className}` }), item.label())));
}

// A vertical stacked bar chart in SVG: bars = [{label, title, parts: [{value, className}]}]
function columns(bars, description) {
  const width = 320, height = 170, top = 18, bottom = 22, gap = bars.length > 12 ? 2 : 8;
  const most = Math.max(1, ...bars.map((bar) => bar.parts.reduce((sum, part) => sum + (part.value || 0), 0)));
  const step = width / Math.max(1, bars.length);
  const plot = height - top - bottom;
  const every = bars.length > 12 ? 3 : 1; // a label under every bar, or every third hour
  const labelled = bars.length <= 12; // the value over each bar; else a line at the highest
  return s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": description },
    labelled ? null : [
      s("line", { x1: 0, x2: width, y1: top + 0.5, y2: top + 0.5, class: "grid-line" }),
      s("text", { x: 2, y: top - 4, class: "grid-label" }, number(most))],
    s("line", { x1: 0, x2: width, y1: top + plot + 0.5, y2: top + plot + 0.5, class: "axis" }),
    bars.map((bar, index) => {
      const x = index * step + gap / 2;
      let y = top + plot;
      const total = bar.parts.reduce((sum, part) => sum + (part.value || 0), 0);
      return s("g", {},
        s("title", {}, bar.title),
        bar.parts.map((part) => {
          const tall = ((part.value || 0) / most) * plot;
          y -= tall;
          return tall > 0 ? s("rect", { x, y, width: Math.max(1, step - gap), height: tall, class: part.className }) : null;
        }),
        s("rect", { x: index * step, y: 0, width: step, height, class: "hit" }), // the whole column shows the title
        labelled ? s("text", { x: x + (step - gap) / 2, y: y - 4, class: "bar-value" }, number(total)) : null,
        index % every === 0 ? s("text", { x: x + (step - gap) / 2, y: height - 6, class: "bar-label" }, bar.label) : null);
    }));
}

function lastDays(days) {
  const title = isToday() ? t("Doses in the last 7 days") : t("Doses in the 7 days to {date}", { date: day(view.date) });
  const bars = days.map((entry) => ({
    label: day(entry.vaccine_date, { day: "numeric", month: "short" }),
    title: `${day(entry.vaccine_date, { dateStyle: "medium" })}: ${t("{count} doses", { count: number(entry.count) })}`,
    parts: DOSES.map((dose) => ({ value: entry[dose.key], className: dose.className })),
  }));
  return section(title, "chart-days", legend(DOSES), columns(bars,
    days.map((entry) => `${day(entry.vaccine_date)}: ${number(entry.count)}`).join(", ")));
}

function byHour(hours) {
  const title = isToday() ? t("Doses today by hour") : t("Doses by hour on {date}", { date: day(view.date) });
  if (!hours.length) return section(title, "chart-hours", h("p", { class: "empty" }, t("No doses recorded on this day yet.")));
  // every hour of the day, so that the bars stand where they happened ("2026-11-30 09" is 09:00-10:00)
  const byHourOf = new Map(hours.map((entry) => [Number(String(entry.ts).slice(11, 13)), entry]));
  const bars = Array.from({ length: 24 }, (_, hour) => {
    const entry = byHourOf.get(hour) || {};
    const label = `${String(hour).padStart(2, "0")}:00–${String(hour + 1).padStart(2, "0")}:00`;
    return {
      label: String(hour).padStart(2, "0"),
      title: `${label}: ${t("{count} doses", { count: number(entry.count || 0) })}`,
      parts: DOSES.map((dose) => ({ value: entry[dose.key], className: dose.className })),
    };
  });
  const sorted = [...hours].sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
  return section(title, "chart-hours", legend(DOSES), columns(bars,
    sorted.map((entry) => `${entry.label}: ${number(entry.count)}`).join(", ")));
}

// Horizontal CSS bars: rows = [{label, value, testid, className}]
function meter(rows, caption) {
  const most = Math.max(1, ...rows.map((row) => row.value || 0));
  return h("dl", { class: "meter", "aria-label": caption }, rows.map((row) => h("div", { class: "meter-row" },
    h("dt", {}, row.label),
    h("dd", {},
      h("span", { class: "meter-track", "aria-hidden": "true" },
        row.value > 0 ? h("span", { class: `meter-fill ${row.className || ""}`, style: `width: ${(row.value / most) * 100}%` }) : null),
      h("span", { class: "meter-value", "data-testid": row.testid, "data-value": row.value ?? "" }, number(row.value))))));
}

function byDose(vaccination) {
  const title = t("Doses by dose");
  return section(title, "by-dose", meter([
    { label: t("Dose 1"), value: vaccination.tot_dose_1, testid: "dose-1", className: "dose-1" },
    { label: t("Dose 2"), value: vaccination.tot_dose_2, testid: "dose-2", className: "dose-2" },
    { label: t("Precaution dose"), value: vaccination.tot_pd, testid: "dose-pd", className: "dose-pd" },
  ], title), h("p", { class: "figure-note" }, t("Today: dose 1 {one}, dose 2 {two}, precaution {pd}",
    { one: number(vaccination.today_dose_one), two: number(vaccination.today_dose_two), pd: number(vaccination.today_pd) })));
}

function byVaccine(vaccination) {
  const title = t("Doses by vaccine");
  const rows = Object.entries(vaccination)
    .filter(([key, value]) => !NOT_VACCINES.has(key) && typeof value === "number")
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, value], index) => ({ label: key.replace(/_/g, " ").toUpperCase(), value, testid: `vaccine-${key}`, className: `series-${index % 6}` }));
  if (!rows.length) return section(title, "by-vaccine", h("p", { class: "empty" }, t("No doses recorded yet.")));
  return section(title, "by-vaccine", meter(rows, title));
}

function byAge(ages) {
  const title = t("People by age");
  const rows = Object.entries(ages)
    .filter(([key, value]) => key !== "total" && typeof value === "number")
    .sort((a, b) => ageFrom(a[0]) - ageFrom(b[0]))
    .map(([key, value]) => ({ label: ageLabel(key), value, testid: `age-${key}`, className: "series-age" }));
  if (!rows.length) return section(title, "by-age", h("p", { class: "empty" }, t("No doses recorded yet.")));
  return section(title, "by-age", meter(rows, title));
}

function byGender(vaccination) {
  const title = t("People by gender");
  return section(title, "by-gender", meter([
    { label: t("Female"), value: vaccination.female, testid: "gender-female", className: "series-female" },
    { label: t("Male"), value: vaccination.male, testid: "gender-male", className: "series-male" },
    { label: t("Others"), value: vaccination.others, testid: "gender-others", className: "series-others" },
  ], title));
}

function areas(rows) {
  const level = view.district ? "site" : view.state ? "district" : "state";
  const heading = { state: t("By state"), district: t("By district"), site: t("By vaccination site") }[level];
  const nameHeading = { state: t("State"), district: t("District"), site: t("Vaccination site") }[level];
  const idOf = (row) => String(row.session_site_id ?? row.district_id ?? row.state_id ?? row.id);
  const nameOf = (row) => row.title_l || row.title || row.session_site_name || idOf(row);
  const linkOf = (row) => level === "state" ? { state: idOf(row), date: view.date }
    : level === "district" ? { state: view.state, district: idOf(row), date: view.date } : null;
  const sorted = [...rows].sort((a, b) => (b.total || 0) - (a.total || 0) || nameOf(a).localeCompare(nameOf(b)));
  const active = sorted.filter((row) => (row.total || 0) > 0);
  const quiet = sorted.filter((row) => !((row.total || 0) > 0));
  const nameCell = (row) => {
    const to = linkOf(row);
    return to ? h("a", { href: hashOf(to) }, nameOf(row)) : nameOf(row);
  };
  return h("section", { class: "panel areas", "data-testid": "areas" },
    h("h3", {}, heading),
    active.length ? h("div", { class: "table-scroll" },
      h("table", {},
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, nameHeading),
          h("th", { scope: "col", class: "num" }, t("People vaccinated")),
          h("th", { scope: "col", class: "num" }, t("Partly")),
          h("th", { scope: "col", class: "num" }, t("Fully")),
          h("th", { scope: "col", class: "num" }, isToday() ? t("Doses today") : day(view.date)))),
        h("tbody", {}, active.map((row) => h("tr", { "data-testid": `area-row-${idOf(row)}` },
          h("th", { scope: "row" }, nameCell(row)),
          h("td", { class: "num", "data-testid": "area-total" }, number(row.total)),
          h("td", { class: "num", "data-testid": "area-partly" }, number(row.partial_vaccinated)),
          h("td", { class: "num", "data-testid": "area-fully" }, number(row.totally_vaccinated)),
          h("td", { class: "num", "data-testid": "area-today" }, number(row.today))))))) :
      h("p", { class: "empty" }, t("No vaccinations recorded here yet.")),
    // the areas without a dose yet: only their names, folded away (a country has dozens)
    quiet.length ? h("details", { class: "quiet", "data-testid": "quiet-areas" },
      h("summary", {}, t("No doses yet: {count}", { count: number(quiet.length) })),
      h("ul", {}, quiet.map((row) => h("li", { "data-testid": `area-row-${idOf(row)}` }, nameCell(row))))) : null);
}

// ---- language -------------------------------------------------------------------------------------

async function chooseLanguage(code) {
  try {
    localStorage.setItem(LANGUAGE_KEY, code);
  } catch (storageOff) {
    // the choice lasts for this page only
  }
  await loadTexts(code);
  names.states = null;
  names.districts.clear();
  draw(); // the words at once, the names and titles in the new language when they arrive
  await load();
}

function savedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch (storageOff) {
    return null;
  }
}

// ---- start ----------------------------------------------------------------------------------------

window.addEventListener("hashchange", () => {
  view = readHash();
  draw(); // the breadcrumb and the date at once; the figures follow
  load();
});

await loadTexts(savedLanguage());
draw();
load();
