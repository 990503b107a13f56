"""Every catalog folder: well-formed, the right plural forms, placeholders as in Dutch, complete.

A language is a folder in handlers/locales/. Dutch is the reference and English is complete;
Turkish and Arabic are complete for what a key figure sees (KEY_FIGURE_TEXTS), and everything
else falls back to Dutch. The checks run on a folder, so a broken catalog in tmp_path shows
that they catch what they should.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from handlers.i18n import LANGUAGES, LOCALES, _discover, t, tn
from sandbox.entities import ParseError, parse_html

# Languages that must have every key Dutch has.
COMPLETE = ("nl", "en")
# What a key figure sees, per file: None for the whole file, else the key prefixes. Every
# language must define these keys.
KEY_FIGURE_TEXTS: dict[str, tuple[str, ...] | None] = {
    "answers.po": None,
    "awaiting.po": None,
    "away.po": None,
    "checkins.po": None,
    "commands.po": None,
    "feedback.po": None,
    "followups.po": None,
    "groups.po": None,  # what the bot says in the district's group
    "intake.po": None,
    "language.po": None,
    "privacy.po": None,
    "reminders.po": None,
    "start.po": None,
    # What a chief reads after a check-in and before a meal, and the demo around it.
    "summary.po": None,
    "baseline.po": None,
    "demo.po": None,
    "meetings.po": (
        "meeting.invite.",
        "meeting.rsvp.",
        "meeting.diet.",
        "meeting.cancelled_notice",
        "meeting.moved_notice",
        "meeting.remind",
        "meeting.private_only",
        "command.dieet",
        "meeting.headcount",
        "meeting.count",
        "meeting.action.line",
        "meeting.action.none_open",
        "meeting.action.list_head",
    ),
    # What a key figure reads in /peilingen and /stoppen.
    "peiling.po": ("peilingen.",),
    "members.po": ("leave.",),
    "people.po": ("role.bondgenoot", "role.chef"),
    "practice.po": ("practice.mark", "practice.chart.mark", "practice.toast", "practice.nudge"),
    "pulse.po": ("command.puls", "pulse.label.", "pulse.question.", "pulse.chart."),
}

Forms = tuple[str, ...]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _read(po: Path) -> tuple[int, dict[str, Forms], list[str]]:
    """The file's nplurals, its texts by key (one form, or each plural form), and problems."""
    raw = po.read_text(encoding="utf-8")
    problems = [] if "Plural-Forms:" in raw else [f"{po.name}: no Plural-Forms header"]
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except PoFileError as exc:
        return 0, {}, [f"{po.name}: {exc}"]
    texts: dict[str, Forms] = {}
    for message in catalog:
        if not message.id:
            continue
        key = str(message.id if isinstance(message.id, str) else message.id[0])
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        texts[key] = tuple(str(f or "") for f in forms)
        if isinstance(message.id, tuple | list):
            texts[key] = (*texts[key], "<plural>")  # marks a plural entry
    return catalog.num_plurals, texts, problems


def _language(folder: Path, language: str) -> tuple[dict[str, dict[str, Forms]], list[str]]:
    """A language's texts by file and key, and what is wrong with its files."""
    files: dict[str, dict[str, Forms]] = {}
    problems: list[str] = []
    expected = get_plural(language).num_plurals
    for po in sorted((folder / language / "LC_MESSAGES").glob("*.po")):
        nplurals, texts, found = _read(po)
        problems += [f"{language}/{p}" for p in found]
        if nplurals and nplurals != expected:
            problems.append(
                f"{language}/{po.name}: Plural-Forms says {nplurals} forms, "
                f"{language} has {expected}"
            )
        files[po.name] = texts
        _NPLURALS[po] = nplurals
    return files, problems


# Each file's own Plural-Forms count: a wrong header is one problem, not one per entry.
_NPLURALS: dict[Path, int] = {}


def _is_plural(forms: Forms) -> bool:
    return bool(forms) and forms[-1] == "<plural>"


def catalog_problems(folder: Path) -> list[str]:
    """What is wrong with the catalogs in folder, one line each (empty: all is well)."""
    languages = _discover(folder)
    dutch, problems = _language(folder, "nl")
    reference = {key: forms for texts in dutch.values() for key, forms in texts.items()}
    for language in languages:
        files, found = (dutch, []) if language == "nl" else _language(folder, language)
        problems += found
        own: dict[str, Forms] = {}
        for name, texts in files.items():
            nplurals = _NPLURALS[folder / language / "LC_MESSAGES" / name]
            for key, forms in texts.items():
                where = f"{language}/{name}: {key}"
                if key in own:
                    problems.append(f"{where}: defined twice")
                own[key] = forms
                if key not in reference:
                    problems.append(f"{where}: not in the Dutch catalog")
                    continue
                problems += _entry_problems(where, forms, reference[key], nplurals)
        missing = _missing(language, files, dutch, reference)
        problems += [f"{language}: missing {key}" for key in missing]
    return problems


def _entry_problems(where: str, forms: Forms, dutch: Forms, nplurals: int) -> list[str]:
    if _is_plural(forms) != _is_plural(dutch):
        return [f"{where}: plural in one language, not in the other"]
    texts = forms[:-1] if _is_plural(forms) else forms
    if _is_plural(forms) and len(texts) != nplurals:
        return [f"{where}: {len(texts)} plural forms, Plural-Forms says {nplurals}"]
    dutch_texts = dutch[:-1] if _is_plural(dutch) else dutch
    # Every form has the placeholders of Dutch; the count {n} may be left out of a form that
    # says it in words ("one day", "two days").
    wanted = set().union(*(_placeholders(d) for d in dutch_texts))
    problems = []
    for index, text in enumerate(texts):
        label = f"{where} (form {index})" if _is_plural(forms) else where
        if not text.strip():
            problems.append(f"{label}: empty")
            continue
        try:
            found = _placeholders(text)
        except ValueError as exc:
            problems.append(f"{label}: broken placeholder ({exc})")
            continue
        optional = {"n"} if _is_plural(forms) else set()
        if not (wanted - optional <= found <= wanted):
            problems.append(f"{label}: placeholders {sorted(found)}, Dutch has {sorted(wanted)}")
            continue
        try:
            parse_html(text.format_map(dict.fromkeys(found, "1")))
        except ParseError as exc:
            problems.append(f"{label}: HTML Telegram refuses ({exc})")
    return problems


def _missing(
    language: str,
    files: dict[str, dict[str, Forms]],
    dutch: dict[str, dict[str, Forms]],
    reference: dict[str, Forms],
) -> list[str]:
    own = {key for texts in files.values() for key in texts}
    if language in COMPLETE:
        return sorted(set(reference) - own)
    required = set()
    for name, prefixes in KEY_FIGURE_TEXTS.items():
        for key in dutch.get(name, {}):
            if prefixes is None or key.startswith(prefixes):
                required.add(key)
    return sorted(required - own)


def test_every_language_folder_is_discovered() -> None:
    assert LANGUAGES[:2] == ("nl", "en")
    assert {"tr", "ar"} <= set(LANGUAGES)
    assert set(LANGUAGES) == {p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir()}


def test_the_catalogs_are_complete_and_well_formed() -> None:
    assert catalog_problems(LOCALES) == []


def test_the_key_figure_texts_exist_in_dutch() -> None:
    """A prefix that matches nothing would make the completeness check pass on nothing."""
    dutch, _ = _language(LOCALES, "nl")
    for name, prefixes in KEY_FIGURE_TEXTS.items():
        assert dutch[name], name
        for prefix in prefixes or ():
            assert any(key.startswith(prefix) for key in dutch[name]), prefix


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_the_language(language: str) -> None:
    # Arabic has six forms: 0, 1, 2, 3-10, 11-99 and the rest (100, 101, 102).
    counts = {n: tn("checkin.summary.contact", n, language) for n in (0, 1, 2, 3, 11, 100)}
    if language == "ar":
        # One and two are said in words; the other forms show the number.
        assert len(set(counts.values())) == 6
        assert all(str(n) in counts[n] for n in (0, 3, 11, 100))
    else:
        assert all(str(n) in text for n, text in counts.items())
    if language in ("nl", "en"):
        assert counts[1].removeprefix("📞 1") != counts[2].removeprefix("📞 2")


# The same checks on a small catalog with one mistake at a time.

_HEAD = 'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Plural-Forms: {forms}\\n"\n\n'
_NL_FORMS = "nplurals=2; plural=(n != 1);"
_AR_FORMS = get_plural("ar").plural_forms
_NL = (
    'msgid "a.hello"\nmsgstr "Hallo {name}"\n\n'
    'msgid "a.days"\nmsgid_plural "a.days"\nmsgstr[0] "{n} dag in {district}"\n'
    'msgstr[1] "{n} dagen in {district}"\n'
)
_AR_FORMS_OK = [f'msgstr[{i}] "{{n}} يوم في {{district}}"' for i in range(6)]


def _write(folder: Path, language: str, forms: str, body: str, name: str = "answers.po") -> None:
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_text(_HEAD.format(lang=language, forms=forms) + body, "utf-8")


def _arabic(folder: Path, plural: list[str], hello: str = 'msgstr "مرحبا {name}"') -> None:
    _write(folder, "nl", _NL_FORMS, _NL)
    _write(folder, "en", _NL_FORMS, _NL.replace("dag", "day"))
    body = f'msgid "a.hello"\n{hello}\n\nmsgid "a.days"\nmsgid_plural "a.days"\n'
    _write(folder, "ar", _AR_FORMS, body + "\n".join(plural) + "\n")


def test_a_good_small_catalog_passes(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK)
    assert catalog_problems(tmp_path) == []


def test_a_wrong_placeholder_in_the_third_arabic_form_fails(tmp_path: Path) -> None:
    plural = [*_AR_FORMS_OK]
    plural[2] = 'msgstr[2] "يومان في {wijk}"'
    _arabic(tmp_path, plural)
    assert catalog_problems(tmp_path) == [
        "ar/answers.po: a.days (form 2): placeholders ['wijk'], Dutch has ['district', 'n']"
    ]


def test_a_missing_plural_form_fails(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK[:5])
    assert catalog_problems(tmp_path) == ["ar/answers.po: a.days (form 5): empty"]


def test_a_plural_form_too_many_fails(tmp_path: Path) -> None:
    _arabic(tmp_path, [*_AR_FORMS_OK, 'msgstr[6] "{n} {district}"'])
    assert any("more translations than num_plurals" in p for p in catalog_problems(tmp_path))


def test_a_wrong_plural_forms_header_fails(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK[:2])
    text = (tmp_path / "ar/LC_MESSAGES/answers.po").read_text("utf-8")
    broken = text.replace(_AR_FORMS, _NL_FORMS)
    (tmp_path / "ar/LC_MESSAGES/answers.po").write_text(broken, "utf-8")
    assert catalog_problems(tmp_path) == [
        "ar/answers.po: Plural-Forms says 2 forms, ar has 6",
    ]


def test_a_missing_key_fails(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK)
    (tmp_path / "en/LC_MESSAGES/answers.po").write_text(
        _HEAD.format(lang="en", forms=_NL_FORMS) + 'msgid "a.hello"\nmsgstr "Hello {name}"\n',
        "utf-8",
    )
    assert catalog_problems(tmp_path) == ["en: missing a.days"]


def test_a_key_figure_text_missing_in_arabic_fails(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK)
    _write(tmp_path, "ar", _AR_FORMS, 'msgid "a.hello"\nmsgstr "مرحبا {name}"\n')
    assert catalog_problems(tmp_path) == ["ar: missing a.days"]


def test_a_broken_placeholder_and_bad_html_fail(tmp_path: Path) -> None:
    _arabic(tmp_path, _AR_FORMS_OK, hello='msgstr "<b>مرحبا {name"')
    assert catalog_problems(tmp_path) == [
        "ar/answers.po: a.hello: broken placeholder (expected '}' before end of string)"
    ]
    _arabic(tmp_path, _AR_FORMS_OK, hello='msgstr "<b>مرحبا {name}"')
    assert [p.split(" (")[0] for p in catalog_problems(tmp_path)] == [
        "ar/answers.po: a.hello: HTML Telegram refuses"
    ]


# Right to left: a Latin name or a number in an Arabic sentence is isolated.


def test_arabic_isolates_filled_in_names_and_numbers() -> None:
    text = t("answer.not_a_member", "ar", district="Overvecht \u202eevil")
    assert "\u2068Overvecht evil\u2069" in text
    assert text.count("\u2068") == text.count("\u2069") == 1
    counted = tn("reminder.nudge", 3, "ar", total=8, until="Mon 2 Dec")
    assert "\u20683\u2069" in counted and "\u20688\u2069" in counted


def test_what_a_reader_copies_stays_without_isolates() -> None:
    text = t("start.stranger", "ar", name="Ali", id=123456789)
    assert "<code>123456789</code>" in text and "\u2068Ali\u2069" in text
    link = "https://t.me/bondgenoten_bot?start=abc"
    made = t("invite.created", "ar", id=4, role="x", district="Zuilen", link=link, expires="y")
    assert f"\n{link}\n" in made and "\u2068Zuilen\u2069" in made


def test_left_to_right_languages_get_no_isolates() -> None:
    for language in ("nl", "en", "tr"):
        text = t("answer.not_a_member", language, district="Overvecht")
        assert "\u2068" not in text and "Overvecht" in text


def test_files_of_one_language_must_agree_on_plural_forms(tmp_path: Path) -> None:
    from handlers.i18n import _merged_catalog

    _arabic(tmp_path, _AR_FORMS_OK)
    _write(tmp_path, "ar", _NL_FORMS, 'msgid "b.x"\nmsgstr "س"\n', name="other.po")
    with pytest.raises(ValueError, match=r"other\.po: Plural-Forms"):
        _merged_catalog("ar", tmp_path)
    assert "ar/other.po: Plural-Forms says 2 forms, ar has 6" in catalog_problems(tmp_path)
