"""The one exception type for problems a user can fix (bad image, missing model, bad JSON, ...).

Library code raises it with a message that says what is wrong and what to do; each command-line entry
point catches it once and prints that message as a single line before exiting non-zero.
"""


class HMRError(Exception):
    """A user-facing problem: the message is complete, one line, and printed as is."""
