"""Suggestions for a misspelt name among many, at a bounded cost per name.

difflib compares a word with every choice; a case (or casebook) with thousands of names and
thousands of misspelt references made that quadratic (2,400 practices: two minutes). Here a
word is compared only with the few names that share its rarest characters, which is where
a typo's intended name is found.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from . import messages
from .safety import shown

EXHAUSTIVE = 50  # up to this many names, every one is compared (the exact difflib answer)
RAREST = 3  # characters of the word whose names are counted (in C, by Counter) ...
COMPARED = 20  # ... and the names sharing most of them are compared by difflib
LISTED = 5  # names a message lists when there is no close one


class Suggestions:
    """The names of one list, indexed by character once; `nearest(word)` then costs the same for any list size."""

    def __init__(self, names: list):
        self.names = list(dict.fromkeys(str(n) for n in names if isinstance(n, (str, int, float))
                                        and not isinstance(n, bool)))
        self._by_character: dict[str, list[int]] = defaultdict(list)
        if len(self.names) > EXHAUSTIVE:
            for i, name in enumerate(self.names):
                for character in set(name):
                    self._by_character[character].append(i)
        self._found: dict[str, str | None] = {}

    def nearest(self, word: str) -> str | None:
        if word not in self._found:
            self._found[word] = messages.nearest(word, self._candidates(word))
        return self._found[word]

    def _candidates(self, word: str) -> list[str]:
        if len(self.names) <= EXHAUSTIVE:
            return self.names
        postings = sorted((self._by_character[c] for c in set(word) if c in self._by_character), key=len)
        shared: Counter = Counter()
        for names in postings[:RAREST]:
            shared.update(names)
        return [self.names[i] for i, _ in shared.most_common(COMPARED)]

    def listed(self) -> str:
        """A few of the names, for a message: never the whole list in one line."""
        listed = "、".join(shown(name, 40) for name in self.names[:LISTED])
        return listed + (f" 等 {len(self.names)} 个" if len(self.names) > LISTED else "")
