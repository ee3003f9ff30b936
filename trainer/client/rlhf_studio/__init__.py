"""rlhf_studio: a small client for RLHF Studio's HTTP API (standard library only).

    from rlhf_studio import Client
    studio = Client("http://localhost:3000", token="rlhf_…")
    studio.list_projects()
"""
from .client import FINISHED, Client, ImportProgress, MetricPoint
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RlhfStudioError,
    ServerError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    WaitTimeout,
)

__all__ = [
    "ApiError", "BadRequest", "Client", "Conflict", "FINISHED", "FieldError", "Forbidden", "ImportProgress", "JobFailed",
    "MetricPoint", "NotFound", "PayloadTooLarge", "PreconditionFailed", "RlhfStudioError", "ServerError",
    "ServiceUnavailable", "TooManyRequests", "Unauthorized", "WaitTimeout",
]
