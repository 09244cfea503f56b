"""The LTI package's one exception."""


class LaunchDataError(ValueError):
    """A launch cannot be built from this data; `field` names the T-book field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
