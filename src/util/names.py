"""File names in one-line messages and file headers: a name may hold a newline or another control
character (a terminal escape), which would split the line or act on the terminal. Such characters are
shown as Python escapes (`\\n`, `\\x1b`), as the model installer shows archive member names with %r;
every other character, accented letters included, is kept as it is."""
import unicodedata

# Characters str.splitlines() breaks at besides the control characters (category Cc).
_LINE_BREAKS = u'\u2028\u2029'


def _escaped(char):
    if unicodedata.category(char) == 'Cc' or char in _LINE_BREAKS:
        return repr(char)[1:-1]
    return char


def one_line(text):
    """`text` with its control characters and line breaks written as escapes: one line, printable."""
    text = str(text)
    if all(char.isprintable() or char == ' ' for char in text):
        return text
    return ''.join(_escaped(char) for char in text)
