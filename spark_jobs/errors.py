"""Errors the user can act on; the CLI prints them as one line without a traceback."""


class UserError(Exception):
    """A problem the user can fix: a bad path, argument or input data. The message names it."""
