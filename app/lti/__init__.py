"""LTI 1.1 launch building and OAuth 1.0a signing, free of Flask so that it can be tested and reused alone."""

from app.lti.custom_data import CUSTOM_DATA_FIELDS, build_custom_data
from app.lti.errors import LaunchDataError
from app.lti.launch import LaunchContext, SignedLaunch, build_launch, sign_launch

__all__ = [
    "CUSTOM_DATA_FIELDS",
    "LaunchContext",
    "LaunchDataError",
    "SignedLaunch",
    "build_custom_data",
    "build_launch",
    "sign_launch",
]
