"""Names in the machine-readable form of ICAO Doc 9303: the EU DCC's `nam.fnt` / `nam.gnt`.

`transliterate("Musterfrau-Gößinger") == "MUSTERFRAU<GOESSINGER"`: upper-case A-Z and the filler `<` only
(the DCC schema's `^[A-Z<]*$`), at most 80 characters (its `maxLength`), never a leading, trailing or double `<`.

The rules, from ICAO Doc 9303 "Machine Readable Travel Documents", Part 3, Eighth Edition 2021 (as amended in 2022
and 2024):

- 4.6 "Convention for Writing the Name of the Holder": upper-case, no diacritics, no digits; name components are
  separated by one filler. Apostrophes are omitted and the parts joined (D'ARTAGNAN -> DARTAGNAN); a hyphen becomes
  one filler (MARIE-ELISE -> MARIE<ELISE); a comma between two components becomes one filler (ANNA, MARIA ->
  ANNA<MARIA; a field here holds one identifier, so the "<<" for a comma between surname and forenames never
  arises); every other punctuation character is omitted with no filler. Spaces separate components.
  Runs of separators collapse to one filler, and a filler in the input is kept as one, so the function is
  idempotent on its own output. A name longer than 80 characters is cut at 80 (the DCC's limit; 9303's own
  truncation rules are about the fixed-width MRZ line, which a DCC does not have).
- 6.A "Transliteration of Multinational Latin-based Characters": where the table gives a choice, the first
  (recommended) one: Ä -> AE, Å -> AA, Æ -> AE, Ð -> D, Ñ -> N (not NXX), Ö -> OE, Ø -> OE, Ü -> UE (not UXX or U),
  Þ -> TH, Ĳ -> IJ, Œ -> OE, ẞ/ß -> SS; every other letter of the table loses its diacritic (É -> E, Ł -> L,
  Đ -> D, Ħ -> H, ı -> I, Ŋ -> N...). Latin letters the table does not list (Romanian Ș, Vietnamese Ơ...) lose
  their diacritics the same way.
- 6.B "Transliteration of Cyrillic Characters", with its language exceptions when `language` names the language
  (ISO 639-1): Belarusian `be` (Г -> H, Ё -> IO), Bulgarian `bg` (Щ -> SHT), Macedonian `mk` (Ѓ -> GJ, Ќ -> KJ,
  Џ -> DJ, Х -> H, Ц -> C), Serbian `sr` (Ж -> Z, Х -> H, Ц -> C, Ч -> C, Ш -> S), Ukrainian `uk` (Г -> H,
  И -> Y, and at the start of a name component Є -> YE, Ї -> YI, Й -> Y, Ю -> YU, Я -> YA). Without a language,
  the table's general column (Russian's). Ь is omitted (the table has no row for it; Ъ -> IE).
  Three deliberate readings of the table, each a misprint in it: its row 0402 (Ђ) -> D is kept, and Ћ (040B, no
  row) -> C as Serbian Latin's Ć -> C; the Macedonian GJ row is printed against 0492 (Ғ) but means Ѓ (0403), so both
  get G, or GJ for `mk`; and the table's "Г -> H" for Serbian is not applied, since Serbian's own Latin alphabet,
  and so its passports, write G (ГОРАН -> GORAN).
- 6.C "Transliteration of Arabic Script" and Appendix B.5 (Persian, Urdu, Pashto letters; veh -> V, feh with three
  dots below -> XF): the X-escaped, reversible scheme (محمد -> MXHMD). Harakat, sukun, superscript alef and tatweel
  are not encoded; shadda repeats the letter it sits on (عبّاس -> EBBAS); teh marbuta is XAH at the end of a name
  component and XTA elsewhere. The sun-letter assimilation and the special case of "Allah" are not treated (9303
  leaves both to the reader's search algorithm).

Not ICAO (Doc 9303 gives tables for Latin, Cyrillic and Arabic script only), and said so wherever it matters:

- Greek: ELOT 743 / ISO 843 as Greek passports write it (ΜΕΝΕΞΕΣ -> MENEXES, Η -> I, Υ -> Y, Χ -> CH), with its
  digraphs ΟΥ -> OU, ΑΥ/ΕΥ/ΗΥ -> AV/EV/IV before a vowel or voiced consonant and AF/EF/IF otherwise, and Γ -> N
  before Γ, Ξ or Χ (ΕΥΑΓΓΕΛΟΣ -> EVANGELOS, ΠΑΠΑΔΟΠΟΥΛΟΣ -> PAPADOPOULOS).
- Every other script (Devanagari, Bengali, Tamil, Telugu, Gujarati..., Chinese, Japanese, Korean, Georgian,
  Armenian, Hebrew, Thai, the extra Cyrillic letters of Kazakh and others...): a best-effort romanisation by the
  `anyascii` package (ISC licence), character by character. For the Indian (Brahmic) scripts this module adds the
  inherent vowel anyascii leaves out (लक्ष्मी -> LAKSHMI, not LKSMI), drops it at the end of a word in Devanagari,
  Bengali, Gurmukhi and Gujarati unless the word ends in a conjunct (राम -> RAM, नरेन्द्र -> NARENDRA), and writes
  च as CH, श/ष as SH, ऋ/ृ as RI, Tamil ச as S and the anusvara as N (M before a labial or at the end). It does not
  drop the inherent vowel inside a word as Hindi speech does (मनमोहन -> MANAMOHAN, not MANMOHAN). Chinese comes out
  as toneless pinyin run together (王小明 -> WANGXIAOMING); Japanese kanji get Chinese readings; Hebrew and
  Arabic-script Urdu words lose their unwritten vowels. None of this is what a passport says: an Indian passport
  carries the holder's name in English, and a traveller should register with that spelling, which then goes
  through the Latin rules above unchanged.

Digits, symbols and emoji are dropped (a name of only those gives ""); so is anything anyascii does not know.

Sources: Doc 9303 Part 3 (8th ed.) sections 4.6 and 6 and Appendix B, whose worked examples are among the tests;
the EU DCC JSON schema 1.3.0 (`person_name`: "transliterated ICAO 9303", `^[A-Z<]*$`, maxLength 80, with its
examples); name vectors of the EU test-data repository eu-digital-green-certificates/dgc-testdata. Checked against
(code not copied) the transliteration table of Corona-Warn-App's cwa-quick-test-frontend, the `mrz` package's
dictionaries and interscript's icao-*-Cyrl-Latn-9303 maps, where these differ from the 9303 text the 9303 text wins.
"""
from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

MAX_LENGTH = 80
FILLER = "<"

# 6.A: only the letters whose transliteration is not just the letter without its diacritic (that part is done by
# Unicode decomposition, which covers the rest of the table); ß/ĳ/ŀ/... upper-case or NFKC-decompose into these.
_LATIN = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ð": "D", "Ö": "OE", "Ø": "OE", "Ü": "UE", "Þ": "TH",
    "Đ": "D", "Ħ": "H", "Ł": "L", "Ŋ": "N", "Œ": "OE", "Ŧ": "T", "ẞ": "SS",
}

# 6.B, general column. Upper-case keys; lower-case input is upper-cased first.
_CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Ђ": "D", "Ѓ": "G", "Ғ": "G", "Е": "E",
    "Ё": "E", "Є": "IE", "Ж": "ZH", "З": "Z", "Ѕ": "DZ", "И": "I", "І": "I", "Ї": "I", "Й": "I", "Ј": "J",
    "К": "K", "Ќ": "K", "Л": "L", "Љ": "LJ", "М": "M", "Н": "N", "Њ": "NJ", "О": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "Ћ": "C", "У": "U", "Ў": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Џ": "DZ",
    "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA", "Ѫ": "U", "Ѵ": "Y",
    "Һ": "C",
}
_CYRILLIC_BY_LANGUAGE = {
    "be": {"Г": "H", "Ё": "IO"},
    "bg": {"Щ": "SHT"},
    "mk": {"Ѓ": "GJ", "Ғ": "GJ", "Ќ": "KJ", "Џ": "DJ", "Х": "H", "Ц": "C"},
    "sr": {"Ж": "Z", "Х": "H", "Ц": "C", "Ч": "C", "Ш": "S"},
    "uk": {"Г": "H", "И": "Y"},
}
_UKRAINIAN_INITIAL = {"Є": "YE", "Ї": "YI", "Й": "Y", "Ю": "YU", "Я": "YA"}

# 6.C and Appendix B.5. Not encoded: tatweel, harakat, sukun, superscript alef, the four obsolete Maghrib letters.
_ARABIC = {
    "ء": "XE", "آ": "XAA", "أ": "XAE", "ؤ": "U", "إ": "I", "ئ": "XI", "ا": "A", "ب": "B", "ت": "T", "ث": "XTH",
    "ج": "J", "ح": "XH", "خ": "XKH", "د": "D", "ذ": "XDH", "ر": "R", "ز": "Z", "س": "S", "ش": "XSH", "ص": "XSS",
    "ض": "XDZ", "ط": "XTT", "ظ": "XZZ", "ع": "E", "غ": "G", "ف": "F", "ق": "Q", "ك": "K", "ل": "L", "م": "M",
    "ن": "N", "ه": "H", "و": "W", "ى": "XAY", "ي": "Y", "ٱ": "XXA", "ٹ": "XXT", "ټ": "XRT", "پ": "P", "ځ": "XKE",
    "څ": "XXH", "چ": "XC", "ڈ": "XXD", "ډ": "XDR", "ڑ": "XXR", "ړ": "XRR", "ږ": "XRX", "ژ": "XJ", "ښ": "XXS",
    "ڤ": "V", "ڥ": "XF", "ک": "XKK", "ګ": "XXK", "ڭ": "XNG", "گ": "XGG", "ں": "XNN", "ڼ": "XXN", "ھ": "XDO",
    "ۀ": "XYH", "ہ": "XXG", "ۂ": "XGE", "ۃ": "XTG", "ی": "XYA", "ۍ": "XXY", "ې": "Y", "ے": "XYB", "ۓ": "XBE",
    **dict.fromkeys("\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0652\u0670\u069c\u06a2\u06a7\u06a8", ""),
}
_SHADDA = "\u0651"
_TEH_MARBUTA = "\u0629"

# Greek, ELOT 743 (not ICAO): base letters, accents and diaereses removed first.
_GREEK = {
    "Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I", "Θ": "TH", "Ι": "I", "Κ": "K",
    "Λ": "L", "Μ": "M", "Ν": "N", "Ξ": "X", "Ο": "O", "Π": "P", "Ρ": "R", "Σ": "S", "Τ": "T", "Υ": "Y",
    "Φ": "F", "Χ": "CH", "Ψ": "PS", "Ω": "O",
}
_GREEK_VOICED = set("ΑΕΗΙΟΥΩΒΓΔΖΛΜΝΡ")  # vowels and voiced consonants: ΑΥ/ΕΥ/ΗΥ -> AV/EV/IV before these

# Brahmic scripts (Devanagari to Malayalam), best effort on top of anyascii; see the module docstring.
_INDIC = range(0x0900, 0x0D80)
_FINAL_SCHWA_DELETED = range(0x0900, 0x0B00)  # Devanagari, Bengali, Gurmukhi, Gujarati
_INDIC_CONSONANT = re.compile(r"LETTER [B-DF-HJ-NP-TV-Z]+A$")  # KA, KHA, NNNA...; not vowels, CHILLU, KHANDA TA
_INDIC_BY_NAME_END = {
    "TAMIL LETTER CA": "S", "LETTER CA": "CH", "LETTER CHA": "CHH", "LETTER SHA": "SH", "LETTER SSA": "SH",
    "LETTER VOCALIC R": "RI", "VOWEL SIGN VOCALIC R": "RI",
}

_SEPARATORS = frozenset(",،、・፡" + FILLER)  # besides white space and dashes (Unicode category Pd)
_NOT_A_TO_Z = re.compile(r"[^A-Z]")


def transliterate(name: str, *, language: str | None = None) -> str:
    """`name` in the MRZ form of Doc 9303 Part 3: A-Z and `<` only, at most 80 characters (see the module doc).

    `language` (ISO 639-1, e.g. "uk") applies the Cyrillic table's exceptions for be, bg, mk, sr or uk; any other
    value, or None, uses its general column. It changes nothing for other scripts.
    """
    exceptions = _CYRILLIC_BY_LANGUAGE.get((language or "").lower(), {})
    ukrainian = (language or "").lower() == "uk"
    words: list[str] = []
    word: list[str] = []
    # Spacing accents (´ ¨ ¸ ˜, Greek ΄) would NFKC-decompose into a space and a combining mark: an ´ typed for an
    # apostrophe must not split D´ARTAGNAN. White space itself (NBSP, ideographic space...) stays a separator.
    name = "".join(c for c in name if c.isspace() or not unicodedata.normalize("NFKC", c).startswith(" "))
    for char in unicodedata.normalize("NFKC", name) + " ":
        if char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd":
            mrz = _word("".join(word), exceptions, ukrainian)
            if mrz:
                words.append(mrz)
            word = []
        else:
            word.append(char)
    return FILLER.join(words)[:MAX_LENGTH].rstrip(FILLER)


def _word(word: str, exceptions: dict[str, str], ukrainian: bool) -> str:
    """One name component (no separators in it) -> A-Z only."""
    out: list[str] = []
    previous = ""  # the last letter written, for the shadda
    i = 0
    while i < len(word):
        char = word[i]
        upper = char.upper()
        step = 1
        if char == _SHADDA:
            text = previous
        elif char == _TEH_MARBUTA:
            text = "XTA" if any(_ARABIC.get(c, "?") for c in word[i + 1:]) else "XAH"
        elif upper in _CYRILLIC:
            if ukrainian and upper in _UKRAINIAN_INITIAL and not "".join(out):
                text = _UKRAINIAN_INITIAL[upper]  # "if Ukrainian first character"
            else:
                text = exceptions.get(upper, _CYRILLIC[upper])
        elif char in _ARABIC:
            text = _ARABIC[char]
        elif "\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff":
            text, step = _greek(word, i)
        elif ord(char) in _INDIC:
            text = _indic(word, i)
        else:
            text = _other(char, upper)
        out.append(text)
        if text:
            previous = text
        i += step
    return _NOT_A_TO_Z.sub("", "".join(out).upper())


def _other(char: str, upper: str) -> str:
    """Latin, with or without diacritics, and the best-effort romanisation of scripts 9303 has no table for."""
    if upper.isascii():
        return upper  # A-Z, or ASCII punctuation and digits that the caller drops
    if upper in _LATIN:
        return _LATIN[upper]
    if unicodedata.category(char)[0] not in "LM":
        return ""  # digits, symbols, emoji, punctuation: omitted (9303 4.6)
    bare = "".join(c for c in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(c))
    if bare.isascii():
        return bare
    return anyascii(char)


def _base_greek(char: str) -> tuple[str, bool]:
    """(the base capital letter, whether it carries a diaeresis)."""
    decomposed = unicodedata.normalize("NFD", char.upper())
    return decomposed[:1], "\u0308" in decomposed


def _greek(word: str, i: int) -> tuple[str, int]:
    """ELOT 743 for the Greek letter at `i`: (its Latin letters, how many characters that used)."""
    letter, _ = _base_greek(word[i])
    following = [_base_greek(c) for c in word[i + 1:i + 3]]
    if letter in "ΑΕΗΟ" and following and following[0] == ("Υ", False):
        if letter == "Ο":
            return "OU", 2
        after = following[1][0] if len(following) > 1 else ""
        return _GREEK[letter] + ("V" if after in _GREEK_VOICED else "F"), 2
    if letter == "Γ" and following and following[0][0] in "ΓΞΧ":
        return "N", 1
    return _GREEK.get(letter) or anyascii(word[i]), 1


def _indic(word: str, i: int) -> str:
    """anyascii for a Brahmic character, plus the inherent vowel after a consonant (see the module docstring)."""
    char = word[i]
    name = unicodedata.name(char, "")
    text = next((latin for end, latin in _INDIC_BY_NAME_END.items() if name.endswith(end)), None) or anyascii(char)
    if name.endswith("SIGN ANUSVARA"):  # the nasal of the next consonant: चंद्र -> CHANDRA, अंबर -> AMBAR
        after = unicodedata.name(word[i + 1], "") if i + 1 < len(word) else ""
        labial = any(after.endswith(f"LETTER {lip}") for lip in ("PA", "PHA", "BA", "BHA", "MA"))
        return "M" if labial or ord((word + " ")[i + 1]) not in _INDIC else "N"
    if not _INDIC_CONSONANT.search(name):
        return text
    j = i + 1
    while j < len(word) and unicodedata.name(word[j], "").endswith("SIGN NUKTA"):
        j += 1
    after = unicodedata.name(word[j], "") if j < len(word) else ""
    if "VOWEL SIGN" in after or "VIRAMA" in after:
        return text
    word_ends = j == len(word) or ord(word[j]) not in _INDIC
    conjunct = i > 0 and "VIRAMA" in unicodedata.name(word[i - 1], "")
    if word_ends and not conjunct and ord(char) in _FINAL_SCHWA_DELETED:
        return text
    return text + "A"
