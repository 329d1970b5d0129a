from pathlib import Path

import pytest

from classifier.clean import clean_text, load_rules
from classifier.segment import segment, split_paragraph

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def cleaned(name: str):
    return clean_text((SEEDS / name).read_text(encoding="utf-8"), load_rules())


def test_related_block_teasers_and_comment_form_are_dropped():
    result = cleaned("000_0d29080c6ce635fb.txt")
    text = result.text
    assert "Pandora Papers" not in text and "Baltic countries" not in text
    assert "Please enter your comment" not in text and "Read more:" not in text
    assert text.endswith("This all has become possible because of boosted strategic partnerships.")
    assert {name for name, _ in result.dropped} == {"read-more", "related-block"}


def test_page_furniture_of_every_seed_goes_but_article_sentences_stay():
    for path in sorted(SEEDS.glob("*.txt")):
        result = cleaned(path.name)
        for furniture in ("Sponsored", "Follow us", "Leave a Reply", "Most Popular", "Credit:", "Also Read",
                          "HomeWorld", "Sunday, 24 November", "Sat. May 18th"):
            assert furniture not in result.text, (path.name, furniture)
        text = path.read_text(encoding="utf-8").replace("\u00a0", " ")
        raw_lines = [line.strip() for line in text.splitlines() if line.strip()]
        kept = set(result.paragraphs)
        dropped = {line for _, line in result.dropped}
        assert [line for line in raw_lines if line not in kept and line not in dropped] == []


def test_article_sentences_that_begin_like_page_furniture_stay():
    """Rules whole-line-match furniture, not sentences that start with its words (a follow-us rule took
    "Follow US lead on ...", a comment rule dropped the rest of an article at "2 comments on the summit ...")."""
    sentences = ["Follow US lead on Russia sanctions, Blinken tells European Union ministers.",
                 "Subscribers to the Kremlin view argue that China is a reliable partner.",
                 "Source: Chinese customs data show trade with Russia rose 26 percent.",
                 "2 comments on the summit stood out: Putin praised China.",
                 "Moscow and Beijing will meet again in July."]
    furniture = ["Follow us on Twitter", "Subscribe to our newsletter", "Source: Reuters", "3 thoughts on “Sanctions row”",
                 "Great piece."]
    result = clean_text("\n".join(sentences + furniture), load_rules())
    assert result.paragraphs == sentences
    assert [name for name, _ in result.dropped] == ["follow-share", "follow-share", "credit", "comment-form",
                                                    "comment-form"]


def test_a_line_without_a_letter_or_digit_is_no_subheading():
    """A rule between sections ("___" before a wire story's coda, "* * *") had become a sentence of kind
    subheading."""
    text = "Russia and China sign pact\n\nThe pact was signed in Beijing.\n\n___\n\n* * *\n\n—\n\nChina said so."
    result = clean_text(text, load_rules())
    assert result.paragraphs == ["Russia and China sign pact", "The pact was signed in Beijing.", "China said so."]
    assert [name for name, _ in result.dropped] == ["separator"] * 3


def test_read_more_teasers_without_a_colon_or_in_other_languages_are_dropped():
    """"READ MORE" on a line of its own, "ALSO READ | …", "Related: …" and the French, German, Spanish, Italian and
    Russian teasers were kept, as subheadings; sentences that begin with those words stay."""
    sentences = ["Read more about the summit in our explainer, the ministry said.",
                 "Related talks in Beijing ended without a deal.", "Lire aussi le communiqué, a dit le ministre."]
    furniture = ["READ MORE", "ALSO READ | Jaishankar says ties with China cannot be normal",
                 "Related: China says border situation generally stable", "Lire aussi | Guerre en Ukraine",
                 "Mehr zum Thema", "Lesen Sie auch: Scholz in Kiew", "Читайте также: Песков прокомментировал санкции"]
    result = clean_text("\n".join(sentences + furniture), load_rules())
    assert result.paragraphs == sentences
    assert [name for name, _ in result.dropped] == ["read-more"] * len(furniture)


def test_wire_credits_and_advertisement_notices_are_dropped():
    """A Reuters or AP story's closing credits and "Story continues below advertisement" were kept, as subheadings;
    a sentence that reports on reporting stays."""
    sentences = ["Reporting by state media showed the strike hit a school.", "The Kremlin did not comment."]
    furniture = ["Reporting by Reuters; Editing by Andrew Osborn",
                 "Additional reporting by Jane Doe in Kyiv; Writing by John Roe; Editing by Alex Richardson",
                 "Our Standards: The Thomson Reuters Trust Principles.", "(With inputs from agencies)",
                 "Follow AP’s coverage of the war in Ukraine at https://apnews.com/hub/russia-ukraine",
                 "Story continues below advertisement", "mfh/dpa/AFP", "ab/rtr", "Live Updated 2m ago",
                 "Last updated 3 hours ago"]
    result = clean_text("\n".join(sentences + ["Updated 3 hours ago, the map showed Russian gains."] + furniture),
                        load_rules())
    assert result.paragraphs == sentences + ["Updated 3 hours ago, the map showed Russian gains."]
    assert [name for name, _ in result.dropped] == ["wire-credit"] * 5 + ["sponsored"] + ["wire-credit"] * 2 + [
        "live-update"] * 2


def test_newsletter_and_app_promos_without_the_word_newsletter_are_dropped():
    """"Sign up for our daily Ukraine briefing …" and an Indian outlet's "Catch all the Latest News …" and "Download
    The … App …" were kept as the article's sentences (bench pages trending_dek and readmore); sentences that begin
    with a sign-up or download verb, or speak of an email, stay."""
    sentences = ["Ukraine signed up to the coalition on Monday.", "Sign up to the coalition, Zelensky urged allies.",
                 "Get our troops home, the senator wrote in an email to supporters.",
                 "Receive our condolences, Xi wrote to Putin.", "Catch all the spies, Putin ordered.",
                 "Download the Diia app to get updates on air raids, officials said."]
    furniture = ["Sign up for our daily Ukraine briefing and get the news that matters in your inbox.",
                 "Get our morning email", "Register for our weekly Russia briefing",
                 "Subscribe to our Ukraine newsletter to get the latest analysis from our correspondents every "
                 "morning.",
                 "Get the day's top stories in your inbox every morning.",
                 "Catch all the Latest News, Breaking News and Updates on The Daily Example.",
                 "Download The Daily Example App to get Daily Market Updates."]
    result = clean_text("\n".join(sentences + furniture), load_rules())
    assert result.paragraphs == sentences
    assert [name for name, _ in result.dropped] == ["newsletter-promo"] * 5 + ["site-promo"] * 2


def test_credit_lines_of_names_go_anywhere_and_an_author_s_bio_only_at_the_end():
    """"Editing by …" or "Reporting by …" alone, a bio ("Jane Doe is a senior fellow at …", bench page
    opinion_comments), "Jane Doe reported from Kyiv; additional reporting by …" and AP's "… contributed to this
    report." were kept. A credit of names alone is furniture wherever it stands; a bio or "reported from" only
    closes an article: inside it, or at its end about anyone else, the same shape is the article's sentence."""
    body = ["Talks stall", "Jane Doe is a senior fellow at the Example Institute, who said the talks had stalled.",
            "John Smith is The Example's Moscow correspondent.",
            "Jens Stoltenberg is a former prime minister of Norway.",
            "Reporting by state media showed the strike hit a school.", "Sergei Lavrov reported progress in the talks."]
    names = ["Editing by Alex Richardson", "Writing by John Roe",
             "Reporting by Jane Doe in Kyiv and John Roe in Moscow; Editing by Alex Richardson",
             "Additional reporting by Jane Doe in Kyiv, Ukraine"]
    closing = ["Jane Doe reported from Kyiv; additional reporting by John Roe in Moscow.",
               "Associated Press writers Jane Doe in Kyiv, Ukraine, and John Roe in Moscow contributed to this report.",
               "Jane Doe is a senior fellow at the Example Institute."]
    result = clean_text("\n\n".join(body[:3] + names + body[3:] + closing + ["mfh/dpa/AFP"]), load_rules())
    assert result.paragraphs == body
    assert result.dropped == [("wire-credit", line) for line in [*names, "mfh/dpa/AFP"]] + [
        ("author-credit", line) for line in closing]
    press = ["Evan Gershkovich is a reporter for The Wall Street Journal who has been held since March.",
             "Dmitry Muratov is the editor of Novaya Gazeta and a Nobel Peace Prize laureate.",
             "Ukrainian President Volodymyr Zelensky reported from Kyiv that the strikes had stopped.",
             "Alsu Kurmasheva is a contributor for Radio Liberty who was jailed in Kazan."]
    for last in body[3:] + press:  # at the end, sentences about others stay; a bio alone is no article's end to drop
        assert clean_text(f"Talks stall\n\n{last}", load_rules()).paragraphs == ["Talks stall", last]
    assert clean_text(closing[2], load_rules()).paragraphs == [closing[2]]


def test_a_rule_of_an_unknown_scope_is_refused(tmp_path):
    from classifier.errors import InputError

    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: promo\n    scope: ends\n    pattern: 'BUY NOW.*'\n")
    with pytest.raises(InputError,
                       match="rules.yaml: rule 1 \\(promo\\) has scope 'ends'; expected one of line, rest, end"):
        load_rules(rules)


def test_offsets_point_into_cleaned_text_and_headings_are_flagged():
    result = cleaned("000_0d29080c6ce635fb.txt")
    sentences = segment(result.paragraphs, title="Russia and China Relations Are Stronger Than Ever: Lavrov")
    for sentence in sentences:
        assert result.text[sentence.start:sentence.end] == sentence.text
    kinds = {s.text: s.kind for s in sentences}
    assert kinds["Russia and China Relations Are Stronger Than Ever: Lavrov"] == "headline"
    assert kinds["Sergei Lavrov To Media"] == "subheading"
    assert kinds["Mutual understanding is on unprecedented levels."] == "body"


def test_segmenter_keeps_abbreviations_inside_sentences():
    paragraph = "The U.S. delegation met Mr. Wang in Beijing. Talks went on. Then they left."
    spans = split_paragraph(paragraph)
    assert [paragraph[s:e] for s, e in spans] == [
        "The U.S. delegation met Mr. Wang in Beijing.", "Talks went on.", "Then they left."]


def test_custom_rules_file(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: promo\n    scope: line\n    pattern: 'BUY NOW.*'\n")
    result = clean_text("Russia spoke.\nBUY NOW cheap\nChina answered.", load_rules(rules))
    assert result.paragraphs == ["Russia spoke.", "China answered."]
    assert result.dropped == [("promo", "BUY NOW cheap")]


def test_a_long_paragraph_is_segmented_in_pieces_with_the_same_sentences(monkeypatch):
    from classifier import segment as seg

    block = ('Russia warned NATO on Monday. The U.S. Senate met Mr. Smith in Washington. '
             'Gov. Newsom said "no." China said nothing at all! ')
    text = (block * 12).strip()
    whole = seg.split_piece(text, "en")
    monkeypatch.setattr(seg, "LONG_PARAGRAPH", 300)
    assert len(seg.pieces(text)) > 3
    assert seg.split_paragraph(text) == whole
    assert [text[s:e] for s, e in whole][:3] == ["Russia warned NATO on Monday.",
                                                   "The U.S. Senate met Mr. Smith in Washington.",
                                                   'Gov. Newsom said "no."']
    no_stops = "word " * 400  # no sentence end at all: cut at spaces, nothing lost
    cuts = seg.pieces(no_stops)
    assert len(cuts) > 3 and cuts[0][0] == 0 and cuts[-1][1] == len(no_stops)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:]))


@pytest.mark.parametrize("hostile", ["...?!" * 12_000, "x" * 60_000, ("a" * 7_000 + " ") * 8])
def test_segmenting_work_is_linear_in_the_worst_case(monkeypatch, hostile):
    """Counted, not timed: pysbd's cost grows with the square of what it is given, so no piece it gets may
    exceed twice LONG_PARAGRAPH, and the pieces add up to the paragraph exactly."""
    from classifier import segment as seg

    given = []
    original = seg.split_piece
    monkeypatch.setattr(seg, "split_piece", lambda text, language: given.append(len(text)) or original(text, language))
    monkeypatch.setattr(seg, "LONG_PARAGRAPH", 500)
    seg.split_paragraph(hostile)
    assert max(given) <= 2 * 500 and sum(given) == len(hostile)


WRAPPED = ["Russia and China signed a broad agreement on Tuesday that officials in both capitals described as a "
           "turning point for their economic ties, and which analysts in Washington said would test Western "
           "sanctions on the Russia-Ukraine war.",
           "The agreement covers energy, trade settlement in national currencies and a joint fund for "
           "infrastructure in Central Asia, according to a statement from the Kremlin. It was not immediately "
           "clear how large the fund would be.",
           "NATO officials declined to comment."]


@pytest.mark.parametrize("width", [60, 72, 100])
def test_a_hard_wrapped_text_gets_its_paragraphs_back(width):
    import textwrap

    wrapped = [textwrap.fill(p, width, break_on_hyphens=True) for p in WRAPPED]
    by_blank_lines = clean_text("Russia and China sign pact\n\n" + "\n\n".join(wrapped), load_rules())
    assert by_blank_lines.paragraphs == ["Russia and China sign pact", *WRAPPED]
    # paragraphs marked by an indent, a heading and a list straight after the text: the writer's breaks stay
    indented = "\n".join(["Russia and China sign pact", *("    " + p for p in wrapped),
                          "Key points", "- energy", "- trade"])
    assert clean_text(indented, load_rules()).paragraphs == ["Russia and China sign pact", *WRAPPED,
                                                             "Key points", "- energy", "- trade"]


def test_unwrapping_a_long_paragraph_reads_each_line_once(monkeypatch):
    """Counted, not timed: a hard-wrapped paragraph of thousands of lines is joined a line at a time, each join
    looking at the paragraph's last characters for a broken word ("Russia-" "Ukraine"), not at all of it (which
    made a one-paragraph wrapped text of 400,000 characters take 15 s to clean), and with the same text."""
    import textwrap

    from classifier import clean

    looked_at = []

    class Spy:
        def search(self, text):
            looked_at.append(len(text))
            return original.search(text)

    original = clean._BROKEN_WORD
    monkeypatch.setattr(clean, "_BROKEN_WORD", Spy())
    paragraph = " ".join(f"Russia-Ukraine talks stalled again in round {n}, officials in Kyiv said." for n in range(3000))
    lines = textwrap.wrap(paragraph, 72, break_on_hyphens=True)
    assert any(line.endswith("Russia-") for line in lines)  # a word broken at its hyphen, joined without a space
    assert clean_text("\n".join(lines), load_rules()).paragraphs == [paragraph]
    assert len(looked_at) == len(lines) - 1 and max(looked_at) <= 3


def test_lines_that_read_as_paragraphs_are_not_joined():
    short = ["Putin arrived in Beijing on Monday for talks with Xi.", "The two leaders met for three hours",
             "Officials said trade was discussed at length.", "No agreement was signed.", "Markets were calm."]
    assert clean_text("\n".join(short), load_rules()).paragraphs == short
    for name in ("003_7b3fcfce3319c36e.txt", "000_0d29080c6ce635fb.txt"):  # a paragraph a line
        text = (SEEDS / name).read_text(encoding="utf-8")
        assert len(cleaned(name).paragraphs) == len([line for line in text.splitlines() if line.strip()]) \
            - len(cleaned(name).dropped)


def test_a_wrapped_list_item_and_a_wrapped_dash_stay_in_their_sentences():
    text = ("Officials listed three demands in a statement released late on Monday night:\n"
            "- that Russian troops withdraw from the border regions within thirty\n"
            "  days, a demand Moscow has rejected before;\n"
            "- that talks resume in Geneva before the end of the month, as agreed\n"
            "  at the last round.\n"
            "Analysts said the statement was the sharpest yet, and it came with a\n"
            "warning. The talks had stalled for weeks, and the mood in the capital\n"
            "— a warning that the talks could fail — was grim by the weekend, they\n"
            "said, pointing to the two demands as a sign of how far apart they were.")
    paragraphs = clean_text(text, load_rules()).paragraphs
    assert paragraphs[1] == ("- that Russian troops withdraw from the border regions within thirty days, a demand "
                             "Moscow has rejected before;")
    assert len(paragraphs) == 4 and "capital — a warning that" in paragraphs[3]


def test_list_points_and_words_before_a_quote_are_body_and_abbreviations_end_no_sentence():
    from classifier.segment import looks_like_heading

    for body in ("- Sanctions on Russian banks", "• Russia expelled 10 diplomats", "1. Russia expelled diplomats",
                 "Trump responded in a statement on Friday:", "The E.U. agreed. Ukraine thanked the U.S.A. (Reuters)",
                 "Russia says no. Ukraine says yes", "Russia met Müller. Talks continue"):
        assert not looks_like_heading(body), body
    for heading in ("What Russia wants", "Gen. Milley warns Russia", "U.S. vs. China: the trade war", "Talks on Jan. 5",
                    "Russia-Ukraine war: live updates"):
        assert looks_like_heading(heading), heading
    assert looks_like_heading("Oil prices jump after sanctions on U.S.", opens_text=True)
    assert not looks_like_heading("Oil prices jump after sanctions on U.S.")


def test_a_numbered_line_between_paragraphs_heads_a_section_and_in_a_list_is_a_point():
    from classifier.segment import segment

    sections = ["Three ways Europe answers Russia", "Europe has several tools.", "1. Sanctions",
                "The EU froze Russian assets.", "2) Energy", "Gas imports fell."]
    assert [s.kind for s in segment(sections, title=sections[0]) if s.paragraph in (2, 4)] == ["subheading"] * 2
    points = ["Europe agreed on:", "1. Sanctions on banks", "2. A price cap", "The rest waits."]
    assert [s.kind for s in segment(points, title="Deal")] == ["body"] * 4


@pytest.mark.parametrize("text", [
    "Russia spoke. Russia spoke. China answered.\u00a0 Russia spoke.\u2003",
    "It rained. It rained.It rained.\n\nIt rained.  ",
    "One. \t Two.\r\nOne.",
])
@pytest.mark.parametrize("sentences", [
    ["Russia spoke.", "Russia spoke.", "China answered.", "Russia spoke."],
    ["It rained.", "It rained.", "It rained.", "It rained.", "gone"],
    ["", "One.", "", "Two.", "One."],
])
def test_sentences_are_found_in_the_text_as_pysbd_finds_them(text, sentences):
    """The segmenter finds its sentences with str.find where pysbd compiles a pattern for each: the same
    spans, for sentences repeated, missing, empty, or followed by unusual spaces."""
    import pysbd

    from classifier.segment import _segmenter

    ours, theirs = _segmenter("en"), pysbd.Segmenter(language="en", clean=False)
    ours.original_text = theirs.original_text = text
    spans = [(s.sent, s.start, s.end) for s in ours.sentences_with_char_spans(sentences)]
    assert spans == [(s.sent, s.start, s.end) for s in theirs.sentences_with_char_spans(sentences)]


def test_segmenting_compiles_no_pattern_for_each_sentence(monkeypatch):
    """Counted, not timed: a pattern compiled for each sentence had filled Python's regex cache, so that
    pysbd's own patterns were compiled again and again."""
    import re

    compiled = []
    original = re._compiler.compile
    monkeypatch.setattr(re._compiler, "compile", lambda pattern, flags=0: compiled.append(pattern)
                        or original(pattern, flags))
    paragraph = "Zyx 41 met Qwv 73 in Plk. Vbn 28 left at dawn. Nothing more was said by Jkl 55."
    assert [paragraph[s:e] for s, e in split_paragraph(paragraph)] == [
        "Zyx 41 met Qwv 73 in Plk.", "Vbn 28 left at dawn.", "Nothing more was said by Jkl 55."]
    assert not [p for p in compiled if isinstance(p, str) and ("Zyx" in p or "Vbn" in p or "Jkl" in p)]


def test_pysbds_abbreviation_patterns_are_compiled_once(monkeypatch):
    """Counted, not timed: pysbd writes a pattern for each abbreviation its text holds, about a thousand over 2,000
    news articles, more than Python's regex cache keeps, so each was compiled again and again. Here the cache is
    emptied (``re.purge``) as those other patterns empty it, and the same paragraph compiles none of them again."""
    import re
    import sys

    import pysbd

    if pysbd.__version__ != "0.3.4":
        pytest.skip("the patterns are kept for pysbd 0.3.4 alone")
    paragraph = "Gen. Ames met Sen. Ruiz at 5 p.m. on Jan. 3 in Washington. Mr. Lee, Dr. Kim and Prof. Park agreed."
    first = split_paragraph(paragraph)
    re.purge()
    compiled = []
    original = re._compiler.compile

    def compile(pattern, flags=0):  # with the pysbd module that asked for it
        caller = sys._getframe(1)
        while caller.f_code.co_filename == re.__file__:
            caller = caller.f_back
        compiled.append(Path(caller.f_code.co_filename).name)
        return original(pattern, flags)

    monkeypatch.setattr(re._compiler, "compile", compile)
    assert split_paragraph(paragraph) == first and len(first) == 2
    assert compiled and not {"abbreviation_replacer.py", "utils.py", "segment.py"} & set(compiled)
