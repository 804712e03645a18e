"""srmscan: AWS posture scanner organised around the Shared Responsibility Model."""

__version__ = "0.1.0"
