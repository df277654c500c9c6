"""The one error type a user sees: a plain sentence, never a traceback."""


class QAError(Exception):
    """Bad input or an unusable corpus, index or model; the message says what to do."""
