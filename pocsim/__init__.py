"""pocsim: agent-based simulation of the protection of civilians in UN peace operations."""

__version__ = "0.1.0"
