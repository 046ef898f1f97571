"""Label Studio counts character offsets in UTF-16 units (JavaScript strings), Python
in code points: the two differ after any character outside the Basic Multilingual
Plane, such as an emoji."""


def to_utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset of the Python index `index` of `text`."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def from_utf16_offset(text: str, offset: int) -> int:
    """The Python index of the UTF-16 offset `offset` of `text`."""
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)
