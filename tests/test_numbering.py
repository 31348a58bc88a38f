"""Specifications of Word's list-label engine (ECMA-376 §17.9 as Word applies it)."""

from __future__ import annotations

import pytest
from lxml import etree

from assembler.docmodel.numbering import ListLabel, NumberingEngine, format_number
from assembler.docmodel.ooxml import W_NS, qn

W = f'xmlns:w="{W_NS}"'

# -- tiny builders ------------------------------------------------------------------------------


def lvl(ilvl, fmt="decimal", text=None, start=1, restart=None, lgl=False, pstyle=None):
    text = f"%{ilvl + 1}." if text is None else text
    parts = [f'<w:start w:val="{start}"/>'] if start is not None else []
    parts.append(f'<w:numFmt w:val="{fmt}"/>')
    if restart is not None:
        parts.append(f'<w:lvlRestart w:val="{restart}"/>')
    if pstyle:
        parts.append(f'<w:pStyle w:val="{pstyle}"/>')
    if lgl:
        parts.append("<w:isLgl/>")
    parts.append(f'<w:lvlText w:val="{text}"/>')
    return f'<w:lvl w:ilvl="{ilvl}">{"".join(parts)}</w:lvl>'


OUTLINE = (  # I. / A. / 1. / (a) / (i)
    lvl(0, "upperRoman")
    + lvl(1, "upperLetter")
    + lvl(2, "decimal")
    + lvl(3, "lowerLetter", "(%4)")
    + lvl(4, "lowerRoman", "(%5)")
)
LEGAL = lvl(0, "decimal", "%1.") + lvl(1, "decimal", "%1.%2") + lvl(2, "decimal", "%1.%2.%3")


def abstract(aid, levels, extra=""):
    return f'<w:abstractNum w:abstractNumId="{aid}">{extra}{levels}</w:abstractNum>'


def num(nid, aid, overrides=""):
    return f'<w:num w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>{overrides}</w:num>'


def start_override(ilvl, value):
    return f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{value}"/></w:lvlOverride>'


def numbering(*items):
    return etree.fromstring(f"<w:numbering {W}>{''.join(items)}</w:numbering>")


def styles(*items):
    return etree.fromstring(f"<w:styles {W}>{''.join(items)}</w:styles>")


def pstyle(style_id, num_id=None, ilvl=None, based_on=None, default=False):
    num_pr = ""
    if num_id is not None or ilvl is not None:
        inner = (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + (
            f'<w:numId w:val="{num_id}"/>' if num_id is not None else ""
        )
        num_pr = f"<w:pPr><w:numPr>{inner}</w:numPr></w:pPr>"
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    dflt = ' w:default="1"' if default else ""
    return (
        f'<w:style w:type="paragraph"{dflt} w:styleId="{style_id}">'
        f'<w:name w:val="{style_id}"/>{based}{num_pr}</w:style>'
    )


def p(num_id=None, ilvl=None, style=None, text="x"):
    """A w:p XML string: (num_id, ilvl) direct numbering and/or a paragraph style."""
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None or ilvl is not None:
        ppr += "<w:numPr>"
        ppr += f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        ppr += f'<w:numId w:val="{num_id}"/>' if num_id is not None else ""
        ppr += "</w:numPr>"
    ppr = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    return f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>"


def body(*paragraphs):
    return etree.fromstring(f"<w:body {W}>{''.join(paragraphs)}</w:body>")


def labels(numbering_root, paragraphs, styles_root=None):
    engine = NumberingEngine(numbering_root, styles_root)
    result = engine.label_paragraphs(body(*paragraphs).iter(qn("w:p")))
    return [label.text if label else None for label in result]


def label_objects(numbering_root, paragraphs, styles_root=None):
    engine = NumberingEngine(numbering_root, styles_root)
    return engine.label_paragraphs(body(*paragraphs).iter(qn("w:p")))


# -- counting -----------------------------------------------------------------------------------


def test_an_outline_counts_each_level_and_restarts_deeper_levels():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    got = labels(n, [p(1, 0), p(1, 1), p(1, 1), p(1, 2), p(1, 0), p(1, 1), p(1, 3)])
    assert got == ["I.", "A.", "B.", "1.", "II.", "A.", "(a)"]


def test_paragraphs_without_numbering_get_no_label():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    assert labels(n, [p(), p(1, 0), p()]) == [None, "I.", None]


def test_no_numbering_part_means_no_labels():
    assert labels(None, [p(1, 0), p()]) == [None, None]


def test_counters_are_shared_by_two_nums_on_one_abstract_num():
    n = numbering(abstract(0, OUTLINE), num(1, 0), num(2, 0))
    assert labels(n, [p(1, 0), p(2, 0), p(1, 0), p(2, 0)]) == ["I.", "II.", "III.", "IV."]


def test_two_abstract_nums_count_separately():
    n = numbering(abstract(0, OUTLINE), abstract(1, LEGAL), num(1, 0), num(2, 1))
    assert labels(n, [p(1, 0), p(2, 0), p(1, 0), p(2, 0)]) == ["I.", "1.", "II.", "2."]


def test_w_start_gives_the_first_value():
    n = numbering(abstract(0, lvl(0, "upperLetter", start=2)), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 0)]) == ["B.", "C."]


def test_an_omitted_w_start_starts_at_zero():
    n = numbering(abstract(0, lvl(0, "decimal", start=None)), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 0)]) == ["0.", "1."]


def test_num_id_zero_switches_numbering_off():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    s = styles(pstyle("Numbered", num_id=1))
    got = labels(n, [p(1, 0), p(0, 0), p(0, style="Numbered"), p(style="Numbered")], s)
    assert got == ["I.", None, None, "II."]


def test_a_num_id_that_does_not_exist_is_not_numbered():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    assert labels(n, [p(7, 0), p(1, 0)]) == [None, "I."]


def test_a_level_the_abstract_num_does_not_define_is_not_numbered():
    n = numbering(abstract(0, lvl(0)), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 4), p(1, 0)]) == ["1.", None, "2."]


def test_table_paragraphs_are_counted_in_document_order():
    n = numbering(abstract(0, LEGAL), num(1, 0))
    table = f"<w:tbl><w:tr><w:tc>{p(1, 0)}</w:tc><w:tc>{p(1, 0)}</w:tc></w:tr></w:tbl>"
    assert labels(n, [p(1, 0), table, p(1, 0)]) == ["1.", "2.", "3.", "4."]


def test_a_level_never_used_shows_its_start_value_in_a_child_label():
    n = numbering(abstract(0, LEGAL), num(1, 0))
    assert labels(n, [p(1, 1), p(1, 1)]) == ["1.1", "1.2"]


def test_each_call_starts_with_fresh_counters():
    n = numbering(abstract(0, LEGAL), num(1, 0))
    engine = NumberingEngine(n, None)
    first = engine.label_paragraphs(body(p(1, 0), p(1, 0)).iter(qn("w:p")))
    second = engine.label_paragraphs(body(p(1, 0)).iter(qn("w:p")))
    assert [x.text for x in first] == ["1.", "2."]
    assert [x.text for x in second] == ["1."]


# -- overrides ----------------------------------------------------------------------------------


def test_start_override_restarts_a_list_on_first_use_of_the_num():
    n = numbering(abstract(0, LEGAL), num(1, 0), num(2, 0, start_override(0, 1)))
    assert labels(n, [p(1, 0), p(1, 0), p(2, 0), p(2, 0)]) == ["1.", "2.", "1.", "2."]


def test_start_override_applies_only_the_first_time_the_num_is_used():
    n = numbering(abstract(0, LEGAL), num(1, 0), num(2, 0, start_override(0, 1)))
    got = labels(n, [p(2, 0), p(2, 0), p(1, 0), p(2, 0)])
    assert got == ["1.", "2.", "3.", "4."]


def test_start_override_restarts_only_its_level_and_deeper_levels():
    # Section 3 has (a)(b); a new num restarting level 1 must not reset the section number.
    sub = lvl(0, "decimal", "%1.") + lvl(1, "lowerLetter", "(%2)", restart=0)
    n = numbering(abstract(0, sub), num(1, 0), num(2, 0, start_override(1, 1)))
    got = labels(n, [p(1, 0), p(1, 0), p(1, 1), p(1, 1), p(1, 0), p(2, 1), p(2, 1), p(1, 0)])
    assert got == ["1.", "2.", "(a)", "(b)", "3.", "(a)", "(b)", "4."]


def test_start_override_value_replaces_w_start_for_that_num():
    n = numbering(abstract(0, LEGAL), num(1, 0), num(2, 0, start_override(0, 5)))
    assert labels(n, [p(1, 0), p(2, 0), p(2, 0)]) == ["1.", "5.", "6."]


def test_a_level_override_holding_a_whole_lvl_replaces_that_level_for_that_num():
    full = f'<w:lvlOverride w:ilvl="0">{lvl(0, "upperLetter", "Article %1")}</w:lvlOverride>'
    n = numbering(abstract(0, LEGAL), num(1, 0), num(2, 0, full))
    assert labels(n, [p(1, 0), p(2, 0), p(1, 0)]) == ["1.", "Article B", "3."]


# -- lvlRestart ---------------------------------------------------------------------------------


def test_lvl_restart_zero_never_restarts_the_level():
    levels = lvl(0, "decimal") + lvl(1, "lowerLetter", "(%2)", restart=0)
    n = numbering(abstract(0, levels), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 1), p(1, 0), p(1, 1)]) == ["1.", "(a)", "2.", "(b)"]


def test_lvl_restart_n_restarts_only_after_level_n_or_a_higher_level():
    # Level 2 restarts only after level 0 (lvlRestart 1): using level 1 does not restart it.
    levels = lvl(0, "decimal") + lvl(1, "upperLetter") + lvl(2, "lowerRoman", "(%3)", restart=1)
    n = numbering(abstract(0, levels), num(1, 0))
    got = labels(n, [p(1, 0), p(1, 1), p(1, 2), p(1, 1), p(1, 2), p(1, 0), p(1, 1), p(1, 2)])
    assert got == ["1.", "A.", "(i)", "B.", "(ii)", "2.", "A.", "(i)"]


# -- lvlText and formats ------------------------------------------------------------------------


def test_lvl_text_substitutes_each_level_in_its_own_format():
    levels = lvl(0, "upperRoman", "Article %1") + lvl(1, "upperLetter", "Section %1.%2")
    n = numbering(abstract(0, levels), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 0), p(1, 1)]) == ["Article I", "Article II", "Section II.A"]


def test_is_lgl_shows_every_level_of_its_lvl_text_as_decimal():
    levels = lvl(0, "upperRoman", "Article %1") + lvl(1, "decimal", "%1.%2", lgl=True)
    n = numbering(abstract(0, levels), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 0), p(1, 1)]) == ["Article I", "Article II", "2.1"]


def test_lower_letters_go_on_after_z_by_repeating_the_letter():
    n = numbering(abstract(0, lvl(0, "lowerLetter", "(%1)")), num(1, 0))
    got = labels(n, [p(1, 0)] * 54)
    assert got[:2] == ["(a)", "(b)"]
    assert got[25:29] == ["(z)", "(aa)", "(bb)", "(cc)"]
    assert got[51:54] == ["(zz)", "(aaa)", "(bbb)"]


def test_a_bullet_level_shows_its_lvl_text():
    n = numbering(abstract(0, lvl(0, "bullet", "\u2022")), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 0)]) == ["\u2022", "\u2022"]


def test_a_level_formatted_none_shows_no_number():
    levels = lvl(0, "none", "") + lvl(1, "decimal", "%1%2.")
    n = numbering(abstract(0, levels), num(1, 0))
    assert labels(n, [p(1, 0), p(1, 1)]) == ["", "1."]


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [
        (4, "decimal", "4"),
        (14, "upperRoman", "XIV"),
        (1999, "lowerRoman", "mcmxcix"),
        (3, "upperLetter", "C"),
        (27, "lowerLetter", "aa"),
        (52, "upperLetter", "ZZ"),
        (7, "decimalZero", "07"),
        (12, "decimalZero", "12"),
        (1, "ordinal", "1st"),
        (2, "ordinal", "2nd"),
        (3, "ordinal", "3rd"),
        (11, "ordinal", "11th"),
        (22, "ordinal", "22nd"),
        (113, "ordinal", "113th"),
        (21, "cardinalText", "Twenty-one"),
        (105, "cardinalText", "One hundred five"),
        (1, "ordinalText", "First"),
        (12, "ordinalText", "Twelfth"),
        (20, "ordinalText", "Twentieth"),
        (23, "ordinalText", "Twenty-third"),
        (5, "none", ""),
        (5, "someFutureFormat", "5"),
    ],
)
def test_format_number_follows_num_fmt(n, fmt, expected):
    assert format_number(n, fmt) == expected


def test_a_num_fmt_inside_mc_alternate_content_uses_the_fallback():
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    level = (
        f'<w:lvl w:ilvl="0" xmlns:mc="{mc}"><w:start w:val="1"/>'
        '<mc:AlternateContent><mc:Choice Requires="w14">'
        '<w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice>'
        '<mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent>'
        '<w:lvlText w:val="%1"/></w:lvl>'
    )
    n = numbering(abstract(0, level), num(1, 0))
    assert labels(n, [p(1, 0)]) == ["01"]


# -- styles -------------------------------------------------------------------------------------


def test_a_paragraph_style_with_num_pr_numbers_its_paragraphs():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    s = styles(pstyle("Heading1", num_id=1, ilvl=0), pstyle("Heading2", num_id=1, ilvl=1))
    got = labels(n, [p(style="Heading1"), p(style="Heading2"), p(style="Heading2")], s)
    assert got == ["I.", "A.", "B."]


def test_a_style_inherits_numbering_through_based_on():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    s = styles(pstyle("Base", num_id=1, ilvl=1), pstyle("Derived", based_on="Base"))
    assert labels(n, [p(style="Derived"), p(style="Derived")], s) == ["A.", "B."]


def test_a_style_giving_num_id_only_takes_the_level_whose_p_style_names_it():
    levels = lvl(0, "upperRoman", pstyle="H1") + lvl(1, "upperLetter", pstyle="H2")
    n = numbering(abstract(0, levels), num(1, 0))
    s = styles(pstyle("H1", num_id=1), pstyle("H2", num_id=1))
    assert labels(n, [p(style="H1"), p(style="H2"), p(style="H1")], s) == ["I.", "A.", "II."]


def test_a_style_giving_num_id_only_defaults_to_level_zero():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    s = styles(pstyle("List", num_id=1))
    assert labels(n, [p(style="List"), p(style="List")], s) == ["I.", "II."]


def test_direct_ilvl_combines_with_the_num_id_of_the_style():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    s = styles(pstyle("List", num_id=1, ilvl=0))
    assert labels(n, [p(style="List"), p(ilvl=1, style="List")], s) == ["I.", "A."]


def test_the_default_paragraph_style_numbers_paragraphs_without_a_style():
    n = numbering(abstract(0, LEGAL), num(1, 0))
    s = styles(pstyle("Normal", num_id=1, default=True))
    assert labels(n, [p(), p(style="Unknown")], s) == ["1.", "2."]


def test_num_style_link_follows_the_numbering_style_to_the_abstract_num_that_defines_it():
    s = styles(
        '<w:style w:type="numbering" w:styleId="LegalList"><w:name w:val="LegalList"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
    )
    n = numbering(
        abstract(0, OUTLINE, '<w:styleLink w:val="LegalList"/>'),
        abstract(1, "", '<w:numStyleLink w:val="LegalList"/>'),
        num(1, 0),
        num(2, 1),
    )
    got = label_objects(n, [p(2, 0), p(2, 1), p(1, 0)], s)
    assert [x.text for x in got] == ["I.", "A.", "II."]
    assert got[0].abstract_id == "0"


def test_a_num_style_link_cycle_leaves_the_paragraph_unnumbered():
    s = styles(
        '<w:style w:type="numbering" w:styleId="Loop"><w:name w:val="Loop"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
    )
    n = numbering(abstract(0, "", '<w:numStyleLink w:val="Loop"/>'), num(1, 0))
    assert labels(n, [p(1, 0)], s) == [None]


# -- ListLabel and REF switches -----------------------------------------------------------------


def test_a_label_records_counters_and_the_own_label_of_each_level():
    n = numbering(abstract(0, OUTLINE), num(7, 0))
    got = label_objects(n, [p(7, 0), p(7, 0), p(7, 1), p(7, 1), p(7, 1), p(7, 1)])[-1]
    assert (got.text, got.ilvl, got.num_id, got.abstract_id) == ("D.", 1, "7", "0")
    assert got.counters == (2, 4)
    assert got.level_texts == ("II.", "D.")


def test_full_context_joins_superior_levels_and_drops_the_trailing_period():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    paragraphs = [p(1, 0)] * 2 + [p(1, 1)] * 4 + [p(1, 0)] + [p(1, 1)] * 2 + [p(1, 2)] * 6
    got = label_objects(n, paragraphs)
    assert got[5].full_context() == "II.D"
    assert got[-1].full_context() == "III.B.6"


def test_full_context_does_not_repeat_parents_included_by_lvl_text():
    n = numbering(abstract(0, LEGAL), num(1, 0))
    got = label_objects(n, [p(1, 0), p(1, 1), p(1, 2)])
    assert got[1].level_texts == ("1.", "1.1")
    assert got[1].full_context() == "1.1"
    assert got[2].full_context() == "1.1.1"


def test_no_context_is_the_own_label_without_its_trailing_period():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    got = label_objects(n, [p(1, 0), p(1, 1), p(1, 1), p(1, 1), p(1, 1), p(1, 3)])
    assert got[4].no_context() == "D"
    assert got[5].no_context() == "(a)"


def test_relative_to_leaves_out_the_superior_levels_shared_with_the_reference():
    n = numbering(abstract(0, OUTLINE), num(1, 0))
    # I. / A. / 1. / 2. / B. / II.
    got = label_objects(n, [p(1, 0), p(1, 1), p(1, 2), p(1, 2), p(1, 1), p(1, 0)])
    target = got[3]  # I.A.2
    assert target.relative_to(got[2]) == "2"  # from I.A.1: shares I and A
    assert target.relative_to(got[4]) == "A.2"  # from I.B: shares I
    assert target.relative_to(got[5]) == "I.A.2"  # from II.: shares nothing
    assert target.relative_to(None) == "I.A.2"


def test_relative_to_a_paragraph_of_another_list_gives_the_full_context():
    n = numbering(abstract(0, OUTLINE), abstract(1, LEGAL), num(1, 0), num(2, 1))
    got = label_objects(n, [p(1, 0), p(1, 1), p(2, 0)])
    assert got[1].relative_to(got[2]) == "I.A"


def test_relative_to_compares_positions_not_equal_counters():
    n = numbering(abstract(0, OUTLINE), num(1, 0), num(2, 0, start_override(0, 1)))
    got = label_objects(n, [p(1, 0), p(1, 1), p(2, 0), p(2, 1)])
    # Both are "I.A" but in different lists of one abstractNum: nothing is shared.
    assert got[1].counters == got[3].counters
    assert got[3].relative_to(got[0]) == "I.A"


def test_list_label_is_a_frozen_value():
    label = ListLabel("1.", 0, "1", "0", (1,), ("1.",))
    with pytest.raises(AttributeError):
        label.text = "2."  # type: ignore[misc]


def test_list_label_makes_what_the_dataclass_makes():
    """list_label (which fills a ListLabel's fields without its __init__) gives the value ListLabel(...) gives: equal,
    the same hash, repr and fields in the same order, frozen, for many values; every field of ListLabel is set."""
    import dataclasses
    import random

    from assembler.docmodel.numbering import list_label

    rng = random.Random(5)
    names = [f.name for f in dataclasses.fields(ListLabel)]
    for _ in range(500):
        ilvl = rng.randrange(9)
        values = (rng.choice(["1.", "(a)", "A", "iv", ""]), ilvl, str(rng.randrange(5)), str(rng.randrange(5)),
                  tuple(rng.randrange(1, 9) for _ in range(ilvl + 1)),
                  tuple(rng.choice(["1.", "(b)", "C"]) for _ in range(ilvl + 1)),
                  tuple(tuple(range(rng.randrange(ilvl + 1))) for _ in range(ilvl + 1)),
                  tuple(rng.randrange(-1, 40) for _ in range(ilvl + 1)))
        made, old = list_label(*values), ListLabel(**dict(zip(names, values, strict=True)))
        assert type(made) is ListLabel and made == old and hash(made) == hash(old) and repr(made) == repr(old)
        assert list(made.__dict__.items()) == list(old.__dict__.items())
        assert made.full_context() == old.full_context() and made.relative_to(old) == old.relative_to(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.text = "2."
