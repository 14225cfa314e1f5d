"""The append-only audit log. Every app writes to it through ``record()``."""
