"""Places against actors (``actors.named_as_location``): a table of sentences written for this test, one capital or
seat marked in [brackets] per row, with the reading data/GUIDELINES.md gives it: ``place`` (where something happens
: no mention) or ``actor`` (the government it stands for: a mention)."""
import pytest

from classifier.actors import named_as_location

PLACE, ACTOR = "place", "actor"

TABLE = [
    # read right before 2026-12-07 (8): a preposition of place, a possessive, a compound, "to" of a tie
    ("NATO defence ministers will meet in [Brussels] in June.", PLACE),
    ("[Brussels] wants a deal before the summit.", ACTOR),
    ("Officials spoke at the [White House] on Monday.", PLACE),
    ("In [Moscow]'s view the talks failed.", ACTOR),
    ("Fighting flared in [Moscow]-backed regions.", ACTOR),
    ("She spoke at the [Washington]-based institute on Monday.", PLACE),
    ("Lavrov arrived in [Beijing] on Monday at the invitation of Wang Yi.", PLACE),
    ("The envoy flew into [Moscow] and met near Beijing.", PLACE),
    ("The congressman has longstanding ties to the [Kremlin].", ACTOR),
    ("Despite intense pressure from [Washington], Chinese firms kept selling chips.", ACTOR),
    ("Kyiv sent a team to [Washington].", ACTOR),
    ("A terrorist attack in [Moscow] killed 140 people.", PLACE),
    ("Residents in [Kyiv] spent the night in metro stations.", PLACE),
    # (1) people in or at the capital who speak, believe or decide: the government (rule 2, a speaker)
    ("Officials at the [White House] said the talks would resume.", ACTOR),
    ("Many in [Washington] believe the sanctions have failed.", ACTOR),
    ("Senior officials in [Beijing] privately doubt the plan.", ACTOR),
    ("Some in the [Kremlin] fear a long war.", ACTOR),
    ("Aides at [Downing Street] said the prime minister was confident.", ACTOR),
    ("Assad's army melted away as his allies in [Moscow] declined to intervene.", ACTOR),
    ("Taiwan's leaders kept their calm, and officials in [Washington] said they were watching closely.", ACTOR),
    ("Officials in [Washington] and Beijing welcomed the truce.", ACTOR),
    ("Meanwhile, officials in [Washington] said the talks would resume.", ACTOR),
    ("The talks stalled; leaders in [Beijing] blamed the delay on Washington.", ACTOR),
    ("Meanwhile, many in [Washington] believe the sanctions have failed.", ACTOR),
    # "many", "most" ... after a comma, semicolon or bracket (no sentence adverb before): where the people named are
    ("Police detained 1,200 protesters, most in [Moscow] and St Petersburg.", PLACE),
    ("Residents, many in [Kyiv], spent the night in metro stations.", PLACE),
    ("Hundreds were arrested; most in [Moscow], the monitoring group said.", PLACE),
    ("Police detained 1,200 protesters (most in [Moscow]) on Sunday.", PLACE),
    ("Officials in Washington and [Beijing] welcomed the truce.", ACTOR),
    ("Western diplomats in [Beijing] said the talks had stalled.", PLACE),
    ("Two U.S. officials in [Kyiv] said the convoy had arrived.", PLACE),
    # the noun phrase before them, past words such as government or defence ministry (2026-12-07 (8): the one word
    # before the speakers, "government", made them the capital's)
    ("Two U.S. government officials in [Kyiv] said the convoy had arrived.", PLACE),
    ("Western defence ministry officials in [Beijing] said the talks had stalled.", PLACE),
    ("Senior government officials in [Beijing] privately doubt the plan.", ACTOR),
    ("Foreign ministry officials in [Beijing] said the talks would resume.", ACTOR),
    ("Foreign officials in [Beijing] said the talks had stalled.", PLACE),
    ("Once again, the party's leaders in [Washington] have capitulated.", ACTOR),
    # (2) where someone goes or comes from: the actor (a trip to a capital is diplomacy with its government; plain,
    # it is labelled neutral, an item; the seeds' "visit to Moscow" sentence was labelled favor), as before (8)
    ("Blinken flew to [Beijing] for two days of talks.", ACTOR),
    ("Security was tightened ahead of the president's visit to [Seoul].", ACTOR),
    ("Wang Yi reiterated this point during his visit to [Moscow].", ACTOR),
    ("Pakistan's foreign minister will visit [Washington] next week.", ACTOR),
    ("Turkish officials will travel to [Brussels] for talks on the customs union.", ACTOR),
    ("Trump returns to the [White House] at the end of next week.", ACTOR),
    ("The envoy returned from [Moscow] empty-handed.", ACTOR),
    ("Modi is heading back to [Tokyo] after the summit.", ACTOR),
    ("After the visit, [Beijing] said it was satisfied.", ACTOR),
    ("Belgrade's return to [Moscow]'s orbit worried Brussels.", ACTOR),
    # (3) a list after the preposition: each of its places
    ("Protests were held in Moscow and [Beijing] on Sunday.", PLACE),
    ("The band will play in [Paris], Berlin and Rome.", PLACE),
    ("The band will play in Paris, [Berlin] and Rome.", PLACE),
    ("Embassies in London, Paris, and [Berlin] closed early.", PLACE),
    ("Xi will travel to Moscow and [Paris] next month.", ACTOR),
    ("In Paris, [Berlin] pushed for a deal.", ACTOR),
    ("Talks between Washington and [Beijing] resumed.", ACTOR),
    ("Sanctions followed the war in Ukraine and [Moscow] has retaliated.", ACTOR),
]


def marked(row: str) -> tuple[str, int, int]:
    """The sentence without its brackets, and where the bracketed place is in it."""
    start = row.index("[")
    end = row.index("]") - 1
    return row.replace("[", "").replace("]", ""), start, end


@pytest.mark.parametrize("row, wanted", TABLE, ids=[row for row, _ in TABLE])
def test_a_place_is_read_as_the_guideline_reads_it(row, wanted):
    text, start, end = marked(row)
    assert (PLACE if named_as_location(text, start, end) else ACTOR) == wanted


def test_people_marked_as_another_actor_s_do_not_speak_for_the_capital_they_are_in(tmp_path):
    """"Chinese officials in Washington said ...": China's words, Washington where they were (a place); "Ukrainian
    officials in Kyiv" speak for Kyiv (the actor). A demonym or name of another catalogue actor before the speakers
    marks them as others', as "Western" and "U.S." do; before, Washington was the United States there."""
    import classifier

    assert named_as_location("Chinese officials in Washington said so.", 21, 31, lambda word: word == "Chinese")
    folder = tmp_path / "news"
    folder.mkdir()
    sentences = {"a": "Chinese officials in Washington said the tariffs would stay for another year.",
                 "b": "Ukrainian officials in Kyiv said the convoy had arrived on Monday morning.",
                 "c": "American officials in Beijing said the talks had stalled over export controls."}
    for name, text in sentences.items():
        (folder / f"{name}.txt").write_text(f"Talks\n\n{text}\n", encoding="utf-8")
    found = {(item["article"], item["actor"]) for item in classifier.prepare_items(folder)}
    assert found == {("a", "China"), ("b", "Ukraine"), ("c", "United States")}


# (sentence, the actor whose capital is bracketed, reading) with the catalogue's demonyms and names as owners
OWNED = [
    ("Chinese government officials in [Washington] said the tariffs would stay.", "United States", PLACE),
    ("Chinese foreign ministry officials in [Washington] said the tariffs would stay.", "United States", PLACE),
    ("China's foreign ministry officials in [Washington] said the tariffs would stay.", "United States", PLACE),
    ("South Korean officials in [Washington] said the talks went well.", "United States", PLACE),
    ("North Korean officials in [Seoul] said the talks went well.", "South Korea", PLACE),
    ("South Korean defence ministry officials in [Seoul] said the talks went well.", "South Korea", ACTOR),
    ("U.S. officials in [Washington] said the talks went well.", "United States", ACTOR),
    ("Ukrainian officials in [Kyiv] said the convoy had arrived.", "Ukraine", ACTOR),
    ("Two U.S. officials in [Kyiv] said the convoy had arrived.", "Ukraine", PLACE),
    # allies and counterparts of a possessive are the other side of the tie: the capital's people
    ("Ukraine's allies in [Washington] warned that aid could run out.", "United States", ACTOR),
    ("Israel's counterparts in [Washington] pushed back.", "United States", ACTOR),
    ("China's defence ministry counterparts in [Washington] pushed back.", "United States", ACTOR),
    ("American counterparts in [Beijing] said the talks were candid.", "China", PLACE),
]


@pytest.mark.parametrize("row, actor, wanted", OWNED, ids=[row for row, _, _ in OWNED])
def test_an_owner_is_read_over_the_noun_phrase_before_the_speakers(row, actor, wanted):
    """The owner of the speakers is the longest demonym or name of the catalogue among the last words before them,
    past words such as government or defence ministry: "South Korean", not "Korean"; "Chinese" before "government".
    Before, only the one word before the speakers was looked at, and "government" or "Korean" made them the
    capital's; "U.S." (an acronym) made U.S. officials in Washington others'."""
    from classifier.actors import load_catalogue

    owners = {term.casefold(): a.name for a in load_catalogue() for term in (*a.demonyms, *a.names)}
    text, start, end = marked(row)  # as prepare's: True another's, False the place's own, None no actor's
    found = named_as_location(text, start, end, lambda words: None if words.casefold() not in owners
                              else owners[words.casefold()] != actor)
    assert (PLACE if found else ACTOR) == wanted
