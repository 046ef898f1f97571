"""Cut documents into windows that a token-classification model reads whole: runs of
consecutive tokens whose word pieces fit the model's input, never dropping a token.

Whole sentences are packed together while they fit; a sentence that alone is too long
is cut between tokens. A token with more pieces than the window is a window of its own:
only its first piece carries its label, so truncating the rest loses nothing.
"""

from collections.abc import Sequence


def split_windows(
    piece_counts: Sequence[int], sentence_starts: Sequence[bool], max_pieces: int
) -> list[tuple[int, int]]:
    """Token ranges `(start, end)` that cover every token once, in order, each holding
    at most `max_pieces` word pieces (unless one token alone holds more)."""
    if max_pieces < 1:
        raise ValueError(f"max_pieces must be at least 1, not {max_pieces}")
    sentences, start = [], 0
    for i in range(1, len(piece_counts) + 1):
        if i == len(piece_counts) or sentence_starts[i]:
            sentences.append((start, i))
            start = i
    windows: list[tuple[int, int]] = []
    window_start, window_pieces = 0, 0
    for sent_start, sent_end in sentences:
        sentence_pieces = sum(piece_counts[sent_start:sent_end])
        if window_pieces + sentence_pieces <= max_pieces:
            window_pieces += sentence_pieces
            continue
        if window_pieces:
            windows.append((window_start, sent_start))
        window_start, window_pieces = sent_start, 0
        for i in range(sent_start, sent_end):
            if window_pieces and window_pieces + piece_counts[i] > max_pieces:
                windows.append((window_start, i))
                window_start, window_pieces = i, 0
            window_pieces += piece_counts[i]
    if window_start < len(piece_counts):
        windows.append((window_start, len(piece_counts)))
    return windows
