"""retropack: the monthly marketing-automation retrospective pack for marketing × sales meetings."""

from retropack.config import Settings, load_settings
from retropack.errors import ConfigError, DataError, DeliveryError, RenderError, RetropackError

__all__ = [
    "ConfigError",
    "DataError",
    "DeliveryError",
    "RenderError",
    "RetropackError",
    "Settings",
    "load_settings",
]
