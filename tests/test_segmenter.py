"""The search index segments text with rjieba exactly as it did with Python's jieba (same words, HMM off)."""
from __future__ import annotations

import pytest

from casebook.core.validate import load_casebook
from casebook.site import search, tree

from conftest import CASES, REAL_CASES


def index_texts(book) -> list[str]:
    """Every heading and body that goes through the segmenter on its way into the index."""
    labels = search.Labels(book)
    written = search.text_pages(tree.generated_files(book), True)
    return [text for _, _, _, entries in [*search.pages(book, True, labels), *written]
            for _, heading, body, *_ in entries for text in (heading, body)]


def jieba_marked(tokenizer, text: str) -> str:
    """search.marked as it was with Python's jieba."""
    out, prev = [], ""
    for word in tokenizer.cut(text.replace(search.BOUNDARY, ""), HMM=False):
        if prev and search._CJK.match(prev[-1]) and search._CJK.match(word[0]):
            out.append(search.BOUNDARY)
        out.append(word)
        prev = word
    return "".join(out)


@pytest.mark.parametrize("cases", [CASES, REAL_CASES], ids=["fixture", "real"])
def test_rjieba_marks_the_same_word_boundaries_as_jieba(cases):
    jieba = pytest.importorskip("jieba")
    book, problems = load_casebook(cases)
    assert not problems
    search.add_user_words(book)
    tokenizer = jieba.Tokenizer()  # as a fresh build had it: no words of another casebook
    for word in search.user_words(book):
        tokenizer.add_word(word, freq=200_000)
    texts = [t for t in index_texts(book) if search._CJK.search(t)]
    assert texts
    differ = [t for t in texts if search.marked(t) != jieba_marked(tokenizer, t)]
    assert not differ, f"{len(differ)} of {len(texts)} texts segment differently, e.g. {differ[:3]}"


def test_drafting_reads_a_speakers_name_after_a_role_ending_in_ren():
    # Why draft.py keeps Python's jieba for part-of-speech tags: rjieba's tagger reads 人孟祥祥 as the name.
    from casebook.authoring import draft

    found = draft.speakers("“面塑是我们的根，要一代一代传下去。”面塑非遗文化传承人孟祥祥说。")
    assert [(q["speaker"], q["role"]) for q in found] == [("孟祥祥", "面塑非遗文化传承人")]
