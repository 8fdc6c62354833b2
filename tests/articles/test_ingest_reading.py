"""
Reading agency copy: format detection, the three formats, the house's mapping rules and every kind of bad input,
without the database (this is what runs in worker processes).
"""

import json
from pathlib import Path

import pytest

from articles.ingest import reading
from articles.ingest.item import Failure, MappedItem
from articles.ingest.mapping import remove_dateline_lead, split_byline
from articles.ingest.reading import Document, ReadOptions, read_document, read_documents

DATA = Path(__file__).parent / "data"
NINJS_SAMPLES = sorted((DATA / "ninjs").glob("*.json"))
OPTIONS = ReadOptions(max_item_bytes=2_000_000)


def read(path: Path | None = None, *, data: bytes | None = None, options: ReadOptions = OPTIONS) -> list:
    document = Document(source=str(path or "input"), path=str(path or ""), data=data)
    return list(read_document(document, options))


def only_item(results: list) -> MappedItem:
    assert len(results) == 1 and isinstance(results[0], MappedItem), results
    return results[0]


def only_failure(results: list) -> Failure:
    assert len(results) == 1 and isinstance(results[0], Failure), results
    return results[0]


@pytest.mark.parametrize("path", NINJS_SAMPLES, ids=lambda path: path.name)
def test_every_real_ninjs_sample_reads_with_its_text_intact(path: Path) -> None:
    item = only_item(read(path))
    raw = {key.lower(): value for key, value in json.loads(path.read_text()).items()}
    headline = raw.get("headline") or raw["headlines"][0]["value"]
    assert item.headline == headline
    assert item.uri == raw["uri"]
    # Every paragraph of the agency's body survives (the dateline lead aside, which moves to the dateline).
    for paragraph in ("Schiedsrichter Felix Zwayer", "Schettino has denied wrongdoing.", "Francesco Schettino"):
        if paragraph in path.read_text():
            assert paragraph in item.body


def test_ninjs_2_descriptions_and_subjects_become_standfirst_and_topics() -> None:
    item = only_item(read(DATA / "ninjs" / "ntb_text.json"))
    assert item.standfirst.startswith("IT-giganten Google har kjøpt en tomt på nærmere 2.000 mål i Skien")
    assert item.topics == ["Innenriks", "Teknologi", "Industri", "Olje og energi"]
    assert item.byline_parts == ["NTB"]
    assert item.providers[0] == "NTB"
    assert item.version == "6"


@pytest.mark.parametrize("name", ["ninjs-1.6-complex.json", "ninjs-3.0-simple-text.json"])
def test_ap_dateline_lead_moves_from_the_body_into_the_dateline(name: str) -> None:
    item = only_item(read(DATA / "ninjs" / name))
    assert item.dateline == "GROSSETO, Italy"
    assert item.body.startswith("<p>The trial of the captain of the shipwrecked Costa Concordia")
    assert "(AP)" not in item.body
    assert "AP" in item.providers
    assert item.byline_parts == ["Paulo Santalucia", "Frances d'Emilio"]


def test_ninjs_3_camel_case_keys_are_read() -> None:
    item = only_item(read(DATA / "ninjs" / "ninjs-3.0-simple-text.json"))
    assert item.version_created.isoformat() == "2013-07-09T10:37:00+00:00"
    # The rich-text body is preferred to the plain one: four paragraphs, not one.
    assert item.body.count("<p>") == 4


def test_dpa_byline_in_german_names_the_reporter_and_the_agency() -> None:
    item = only_item(read(DATA / "ninjs" / "dpa_text.json"))
    assert item.byline_parts == ["Christian Hollmann", "dpa"]
    assert item.body.startswith("<p>Für Lucien Favre war es «der größte Skandal im Fußball seit Jahren».")


@pytest.mark.parametrize(
    ("body", "place", "agency", "rest"),
    [
        ("PARIS, Sept 5 (AFP) - French President", "PARIS", "AFP", "French President"),
        ("<p>GROSSETO, Italy (AP) -- The trial</p>", "GROSSETO, Italy", "AP", "<p>The trial</p>"),
        ('<section class="main"><p>Berlin (dpa) - Der Trainer</p>', "Berlin", "dpa", '<section class="main"><p>Der'),
        ("<p>WASHINGTON (Reuters) — The Senate</p>", "WASHINGTON", "Reuters", "<p>The Senate</p>"),
        ("<p>LONGYEARBYEN, Norway, Sept 5 (NSW) - Gene</p>", "LONGYEARBYEN, Norway", "NSW", "<p>Gene</p>"),
    ],
)
def test_dateline_leads_in_agencies_styles(body: str, place: str, agency: str, rest: str) -> None:
    remaining, lead = remove_dateline_lead(body)
    assert lead == (place, agency)
    assert remaining.startswith(rest)


@pytest.mark.parametrize(
    "body", ["<p>the captain (AP) - said</p>", "<p>Prices rose 3% (see table) in August.</p>", "<p>No lead here.</p>"]
)
def test_text_that_is_not_a_dateline_lead_stays_in_the_body(body: str) -> None:
    assert remove_dateline_lead(body) == (body, None)


@pytest.mark.parametrize(
    ("byline", "parts"),
    [
        ("By Agencies", ["Agencies"]),
        ("Agencies", ["Agencies"]),
        ("Von Christian Hollmann, dpa", ["Christian Hollmann", "dpa"]),
        ("By Jane Doe and Ali Khan, AFP", ["Jane Doe", "Ali Khan", "AFP"]),
        ("Reporting by Ahmad Ghaddar; Editing by Jan Harvey", ["Ahmad Ghaddar"]),
        ("By JANE DOE, Staff Writer", ["JANE DOE"]),
        ("", []),
    ],
)
def test_bylines_split_into_names(byline: str, parts: list[str]) -> None:
    assert split_byline(byline) == parts


def test_reference_page_sample_has_a_paris_dateline_from_located_and_an_agencies_byline() -> None:
    item = only_item(read(DATA / "wire" / "reference-page.ninjs.json"))
    assert item.dateline == "PARIS"
    assert item.byline_parts == ["Agencies"]
    assert item.topics == ["Russia-Ukraine war", "Emmanuel Macron"]
    assert item.body.startswith("<p>French President Emmanuel Macron expressed confidence")


def test_ninjs_array_reads_each_item_and_skips_pictures() -> None:
    results = read(DATA / "wire" / "afp-ninjs-1.x.json")
    storm, budget, picture = results
    assert storm.dateline == "PARIS" and storm.body.startswith("<p>Storm Amélie left about 80,000 homes")
    assert storm.body.count("<p>") == 3  # plain text paragraphs became HTML paragraphs
    assert budget.embargo_until.isoformat() == "2099-01-01T10:00:00+00:00"
    assert isinstance(picture, Failure) and picture.skipped and "picture" in picture.reason


def test_json_lines_read_one_item_per_line() -> None:
    results = read(DATA / "wire" / "reuters-ninjs-2.0.jsonl")
    assert [item.dateline for item in results] == ["LONDON", "TOKYO", "ZURICH"]
    assert results[0].byline_parts == ["Ahmad Ghaddar"]


def test_nitf_story_in_its_declared_latin_1_encoding() -> None:
    item = only_item(read(DATA / "wire" / "lisbon-storm.nitf.xml"))
    assert item.uri == "urn:newsml:lusa.pt:20250905:lisbon-storm-0042"
    assert item.version == "2"
    assert item.headline == "Lisbon counts the cost of overnight storm"
    assert item.standfirst == "Winds of 110 km/h brought down trees and halted Lisbon's trams."
    assert item.byline_parts == ["João Silva"]
    assert item.dateline == "LISBON"
    assert item.providers[0] == "Lusa"
    assert item.topics == ["weather", "weather warning", "Lisbon", "storms"]
    assert "<h2>No injuries</h2>" in item.body
    assert "Cafés along the river reopened by noon." in item.body
    assert "<em>Avenida da Liberdade</em>" in item.body
    assert "fallen tree on a tram line" not in item.body  # the photo caption is not running text


def test_rss_items_with_content_summary_categories_and_sanitized_body() -> None:
    fiji, relief = read(DATA / "wire" / "world-news.rss")
    assert fiji.uri == "ppa-2025-09-05-0017"
    assert fiji.standfirst == "The government declared a 30-day state of emergency."
    assert fiji.dateline == "SUVA"
    assert fiji.byline_parts == ["Mere Tuilagi"]
    assert fiji.topics == ["Disasters", "Fiji"]
    assert fiji.providers[0] == "Pacific Press Agency"
    assert "<script" not in fiji.body and "alert" not in fiji.body
    assert fiji.first_created.isoformat() == "2025-09-05T11:30:00+00:00"
    assert relief.headline == "Samoa & Tonga send relief flights"
    assert relief.body == "<p>Two relief flights left Apia and Nuku'alofa for Fiji on Friday.</p>"


def test_atom_entries_with_published_and_updated_times() -> None:
    vault, sediments = read(DATA / "wire" / "science.atom")
    assert vault.uri == "tag:nsw.example.org,2025:item-5512"
    assert vault.first_created.isoformat() == "2025-09-05T08:00:00+00:00"
    assert vault.version_created.isoformat() == "2025-09-05T09:30:00+00:00"
    assert vault.dateline == "LONGYEARBYEN, Norway"
    assert vault.providers[0] == "Nordic Science Wire"
    assert vault.topics == ["Climate", "Agriculture"]
    assert sediments.headline == "Finnish lake sediments rewrite Ice Age timeline"


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"uri": "x", "headline": "Storm"', "malformed JSON"),
        (b"<nitf><head><title>Storm</head></nitf>", "malformed XML"),
        (b"Just some text from a mail", "unknown format"),
        (b"<html><body>A web page</body></html>", "unknown format: XML whose root element <html>"),
        (b"", "the document is empty"),
        (b'{"uri": "x", "headline": "Caf\xe9"}', "not UTF-8 text (byte 0xe9"),
        (b'<?xml version="1.0" encoding="UTF-8"?><nitf><head/><body>Caf\xe9</body></nitf>', "not valid UTF-8 text"),
        (b'{"uri": "x", "bodies": [{"value": "<p>Text</p>"}]}', "the item has no headline"),
        (b'{"headline": "Storm"}', "the item has no identifier"),
        (b'{"uri": "x", "headline": "Storm", "versioncreated": "yesterday"}', "versioncreated “yesterday” is not"),
        (b"[1]", "not a ninjs item: expected a JSON object, found int"),
    ],
)
def test_bad_documents_fail_with_a_clear_reason(data: bytes, reason: str) -> None:
    assert reason in only_failure(read(data=data)).reason


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<nitf><body><body.head><hedline><hl1>&lol4;</hl1></hedline></body.head></body></nitf>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nitf><head><docdata><doc-id id-string="x"/></docdata></head>
<body><body.head><hedline><hl1>Leak</hl1></hedline></body.head><body.content><p>&secret;</p></body.content></body></nitf>"""

XXE_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>T</title><item><title>&secret;</title><guid>g</guid></item></channel></rss>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, XXE_FEED], ids=["billion-laughs", "xxe-nitf", "xxe-rss"])
def test_xml_declaring_entities_is_refused_before_any_parsing(data: bytes) -> None:
    failure = only_failure(read(data=data))
    assert failure.reason.startswith("refused:")
    assert "root:" not in failure.reason


def test_item_over_the_size_limit_fails_and_the_others_are_read() -> None:
    small = {"uri": "small", "headline": "Small", "body_html": "<p>Short.</p>"}
    large = {"uri": "large", "headline": "Large", "body_html": "<p>" + "x" * 5000 + "</p>"}
    data = json.dumps([small, large, small | {"uri": "small-2"}]).encode()
    results = read(data=data, options=ReadOptions(max_item_bytes=1000))
    assert [result.uri for result in results if isinstance(result, MappedItem)] == ["small", "small-2"]
    (failure,) = [result for result in results if isinstance(result, Failure)]
    assert failure.uri == "large" and "over the limit of 1,000" in failure.reason


def test_a_bad_json_line_costs_only_itself() -> None:
    lines = [
        json.dumps({"uri": "one", "headline": "One"}),
        '{"uri": "two", "headline": ',
        json.dumps({"uri": "three", "headline": "Three"}),
    ]
    results = read(data="\n".join(lines).encode())
    assert [getattr(result, "uri", None) for result in results[::2]] == ["one", "three"]
    assert isinstance(results[1], Failure) and results[1].source == "input:2"
    assert "malformed JSON" in results[1].reason


def test_a_file_over_the_document_limit_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    item = json.dumps({"uri": "one", "headline": "One"}).encode()
    (tmp_path / "item.json").write_bytes(item)
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", len(item))
    assert [result.uri for result in read(tmp_path / "item.json")] == ["one"]  # exactly at the limit
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", len(item) - 1)
    assert f"larger than {len(item) - 1:,} bytes" in only_failure(read(tmp_path / "item.json")).reason


def test_a_file_larger_than_one_read_is_read_whole_or_refused_over_the_limit(tmp_path: Path, monkeypatch) -> None:
    items = [{"uri": f"urn:{n}", "headline": f"Story {n}", "body_html": "<p>Words.</p>" * 100} for n in range(300)]
    data = json.dumps(items).encode()
    assert len(data) > 3 * reading.READ_CHUNK
    (tmp_path / "items.json").write_bytes(data)
    assert [result.uri for result in read(tmp_path / "items.json")] == [f"urn:{n}" for n in range(300)]
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", len(data) - 1)
    assert "larger than" in only_failure(read(tmp_path / "items.json")).reason


def test_a_task_of_documents_comes_back_in_order_with_every_body_sanitized(tmp_path: Path) -> None:
    for n in range(3):
        item = {"uri": f"urn:{n}", "headline": f"Story {n}", "body_html": f"<p>Text {n}</p><script>steal()</script>"}
        (tmp_path / f"{n}.json").write_text(json.dumps(item))
    (tmp_path / "bad.json").write_text("{")
    documents = [
        Document(source=name, path=str(tmp_path / name)) for name in ["0.json", "bad.json", "1.json", "2.json"]
    ]
    results = read_documents(documents, OPTIONS)
    assert [result.source if isinstance(result, Failure) else result.uri for result in results] == [
        "urn:0",
        "bad.json",
        "urn:1",
        "urn:2",
    ]
    assert [result.body for result in results if isinstance(result, MappedItem)] == [
        "<p>Text 0</p>",
        "<p>Text 1</p>",
        "<p>Text 2</p>",
    ]


def test_a_file_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    failure = only_failure(read(tmp_path / "missing.json"))
    assert "cannot read the file" in failure.reason
