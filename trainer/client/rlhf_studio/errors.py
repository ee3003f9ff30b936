"""The errors the client raises.

Every failure of the API answers ``{"error": {"code", "message", "fieldErrors": [{"field", "message", "line"?}]}}``
with the HTTP status of its code (server/api/route.ts). :class:`ApiError` carries those three parts; each code has
its own subclass, so a script can ``except BadRequest`` and read ``err.field_errors`` to learn which field (or which
line of an uploaded file) was wrong.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Optional


class RlhfStudioError(Exception):
    """Base of every error this package raises."""


@dataclass(frozen=True)
class FieldError:
    """One bad field of a request: ``field`` is its dotted path (``config.lr``, ``candidates.1.text``)."""

    field: str
    message: str
    #: the 1-based line of an uploaded file the error is about, when it is about one
    line: Optional[int] = None


class ApiError(RlhfStudioError):
    """An error answer of the API.

    Attributes:
        status: the HTTP status (400, 401, 403, 404, 409, 412, 413, 429, 500, 503).
        code: the API's code, e.g. ``"BAD_REQUEST"``.
        message: the sentence the API wrote for people.
        field_errors: the bad fields, in the API's order (empty when the error is not about input).
    """

    def __init__(self, status: int, code: str, message: str, field_errors: Optional[List[FieldError]] = None):
        self.status = status
        self.code = code
        self.message = message
        self.field_errors = list(field_errors or [])
        super().__init__(str(self))

    def field(self, name: str) -> Optional[FieldError]:
        """The first error of the field ``name``, or None."""
        return next((e for e in self.field_errors if e.field == name), None)

    def __str__(self) -> str:
        fields = "; ".join(f"{_where(e)}: {e.message}" for e in self.field_errors)
        return f"{self.status} {self.code}: {self.message}" + (f" [{fields}]" if fields else "")


def _where(error: FieldError) -> str:
    if error.line is None:
        return error.field or "request"
    return f"{error.field} (line {error.line})" if error.field else f"line {error.line}"


class BadRequest(ApiError):
    """400: the input is wrong; ``field_errors`` says where."""


class Unauthorized(ApiError):
    """401: no token, or one that is unknown, revoked or expired."""


class Forbidden(ApiError):
    """403: the token's scope or its owner's role does not allow this."""


class NotFound(ApiError):
    """404: no such thing (or one the token may not see)."""


class Conflict(ApiError):
    """409: the thing's state does not allow it (cancelling a finished run, a slug in use)."""


class PreconditionFailed(ApiError):
    """412: a rule of the thing refuses it (an archived project, a task type that can no longer change)."""


class PayloadTooLarge(ApiError):
    """413: the upload is over the server's limit."""


class TooManyRequests(ApiError):
    """429: slow down."""


class ServerError(ApiError):
    """500: the server failed; its log has the details."""


class ServiceUnavailable(ApiError):
    """503: the server cannot serve this now (a dependency is down); try again later."""


_BY_CODE = {
    "BAD_REQUEST": BadRequest,
    "UNAUTHORIZED": Unauthorized,
    "FORBIDDEN": Forbidden,
    "NOT_FOUND": NotFound,
    "CONFLICT": Conflict,
    "PRECONDITION_FAILED": PreconditionFailed,
    "PAYLOAD_TOO_LARGE": PayloadTooLarge,
    "TOO_MANY_REQUESTS": TooManyRequests,
    "INTERNAL_SERVER_ERROR": ServerError,
    "SERVICE_UNAVAILABLE": ServiceUnavailable,
}
_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 412: PreconditionFailed,
              413: PayloadTooLarge, 429: TooManyRequests, 500: ServerError, 503: ServiceUnavailable}


def error_from_response(status: int, body: bytes) -> ApiError:
    """The typed error of an error answer; a body that is not the API's shape (a proxy's page) keeps its text."""
    import json

    try:
        parsed: Any = json.loads(body.decode("utf-8"))
        error: Dict[str, Any] = parsed["error"]
        code, message = str(error["code"]), str(error["message"])
        fields = [
            FieldError(field=str(f.get("field", "")), message=str(f.get("message", "")), line=f.get("line"))
            for f in error.get("fieldErrors") or []
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
        text = body.decode("utf-8", "replace").strip()[:500]
        return cls(status, f"HTTP_{status}", text or f"HTTP {status} without a body")
    return _BY_CODE.get(code, _BY_STATUS.get(status, ApiError))(status, code, message, fields)


class JobFailed(RlhfStudioError):
    """A snapshot or run this client waited for ended FAILED or CANCELLED.

    Attributes:
        job: the snapshot's or run's last state, as the API answered it (``job["error"]`` says why).
    """

    def __init__(self, what: str, job: Dict[str, Any]):
        self.job = job
        super().__init__(f"{what} {job.get('name') or job.get('id')} ended {job.get('status')}: {job.get('error') or 'no error given'}")


class WaitTimeout(RlhfStudioError, TimeoutError):
    """A wait ran past its ``timeout`` (the job goes on on the server)."""
