"""Clickstream analytics for e-commerce event logs (REES46 / Kaggle format)."""

__version__ = "0.1.0"
