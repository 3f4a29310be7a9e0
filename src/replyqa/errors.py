"""The few exception classes replyqa raises; the CLI and web app turn them into messages."""


class ReplyQAError(Exception):
    """Base class for every error replyqa raises on purpose."""


class ReadError(ReplyQAError):
    """A file could not be read as a reply (the message names the file and why)."""


class ModelError(ReplyQAError):
    """The embedding model could not be found, built or loaded."""


class IndexMismatchError(ReplyQAError):
    """An index was built with other settings than the ones in force."""


class QueryError(ReplyQAError):
    """A question or search request was unusable (empty, too long, ...)."""


class StoreUnavailable(ReplyQAError):
    """The Chroma server did not answer (restarting, stopped, unreachable); the request may be tried again."""
