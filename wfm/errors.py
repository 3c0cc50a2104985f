"""The application's error: one line for the user, exit code 1."""


class WfmError(Exception):
    """A problem with the user's files, options or config; the message says what to do."""
