"""What a conversation remembers between utterances, held in memory only, for a few minutes, and bounded.

Home Assistant opens a new connection for every utterance and names the conversation in
`context.conversation_id`; "tell me more", "yes", "repeat", "slower" and "what else" need the turn before.
A `Turn` holds only what the service said and which topics it answered: never what the person said. The
memory is a dictionary in this process: nothing is written anywhere, and a restart forgets everything.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: "yes" after the safety numbers says them again.
URGENT_OFFER = "urgent-numbers"
#: Home Assistant forgets a conversation after five minutes without a word; so do we.
DEFAULT_EXPIRY_S = 300.0
#: Conversations kept at once; the one unused longest goes first. A Turn is a few kilobytes at most.
DEFAULT_MAX_CONVERSATIONS = 2000
#: Home Assistant's ids are 26-character ULIDs; anything much longer is not one of theirs.
MAX_CONVERSATION_ID_CHARS = 128


@dataclass(frozen=True)
class Turn:
    """The conversation so far, as far as the next reply needs it."""

    #: The topic last answered: "tell me more" reads its full section.
    topic: str | None = None
    #: Whether that was its full section ("slower" says the same again, in parts).
    full: bool = False
    #: What "yes" means now: a topic offered next, the first of two choices, or URGENT_OFFER.
    offer: str | None = None
    #: "Did you mean A, or B?": "one"/"the first" is A, "two"/"the second" is B.
    choices: tuple[str, str] | None = None
    #: The last reply, for "repeat" (after the safety numbers: the numbers again).
    said: str = ""
    #: Topics answered in this conversation: "what else" lists the others.
    heard: frozenset[str] = frozenset()
    #: After "slower": answers come a few sentences at a time, each followed by "Shall I go on?".
    in_parts: bool = False
    #: Parts not yet said, and what "yes" will mean once the last of them has been.
    rest: tuple[str, ...] = ()
    offer_after_rest: str | None = None


class Conversations:
    """conversation_id -> Turn, forgotten `expiry_s` after its last use, at most `max_conversations` kept."""

    def __init__(self, expiry_s: float = DEFAULT_EXPIRY_S, max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.expiry_s = expiry_s
        self.max_conversations = max_conversations
        self._clock = clock
        self._turns: OrderedDict[str, tuple[float, Turn]] = OrderedDict()

    def __len__(self) -> int:
        self._forget_expired()
        return len(self._turns)

    def get(self, conversation_id: str | None) -> Turn:
        """The conversation's last turn, or a fresh one (no id, never seen, or expired)."""
        self._forget_expired()
        if conversation_id is None or conversation_id not in self._turns:
            return Turn()
        return self._turns[conversation_id][1]

    def put(self, conversation_id: str | None, turn: Turn | None) -> None:
        """Remember `turn` (None: forget the conversation, as after "goodbye")."""
        if conversation_id is None:
            return
        self._turns.pop(conversation_id, None)
        if turn is None:
            return
        self._turns[conversation_id] = (self._clock(), turn)
        while len(self._turns) > self.max_conversations:
            self._turns.popitem(last=False)

    def _forget_expired(self) -> None:
        oldest_kept = self._clock() - self.expiry_s
        while self._turns:
            first = next(iter(self._turns.values()))
            if first[0] >= oldest_kept:
                break
            self._turns.popitem(last=False)
