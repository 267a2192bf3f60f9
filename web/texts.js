// The pages' words in the reader's language. Every text a page shows is written in English as
// t("...") (make catalogues extracts them into each country pack's catalogue, with context "web");
// the API answers the reader's language and its translations: GET /v2/web/texts?lang=<code>.
// Without a network (or before the answer) the English text stands.
let translations = {};
let current = { language: "en_US", languages: [{ code: "en_US", name: "English" }] };

export function t(text, values = {}) {
  const chosen = translations[text] || text;
  return chosen.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function language() {
  return current;
}

// lang: a code the reader chose, or null for the browser's languages (Accept-Language).
export async function loadTexts(lang) {
  const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  try {
    const response = await fetch(`/v2/web/texts${query}`);
    if (!response.ok) return current;
    current = await response.json();
    translations = current.texts || {};
    document.documentElement.lang = current.language.replace("_", "-");
  } catch (offline) {
    // keep the English texts
  }
  return current;
}
