"""Saved inventories: what `--save-inventory` writes and `evaluate` / `diff` read back.

Collectors already keep secret *names* only; writing a snapshot passes every string through a
value-shape check as well (access keys, private keys, tokens), so a secret that slipped into a
tag or a name still never reaches the disk. Key names are deliberately not used here: rules read
attrs such as `http_tokens`, and redacting by key would change what an offline evaluation sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from srmscan.model import Inventory
from srmscan.redact import _SECRET_VALUE as SECRET_VALUE  # the one definition of a secret-shaped value
from srmscan.redact import REDACTED, looks_secret_value


def redact_values(value: Any) -> Any:
    """Copy of `value` with secret-shaped substrings replaced; keys and structure are kept."""
    if isinstance(value, dict):
        return {k: redact_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_values(v) for v in value]
    if isinstance(value, str) and looks_secret_value(value):
        return SECRET_VALUE.sub(REDACTED, value)
    return value


def inventory_json(inventory: Inventory) -> str:
    return json.dumps(redact_values(inventory.to_dict()), indent=1, default=str)


def read_json(path: Path) -> dict[str, Any]:
    """A report or inventory file; raises ValueError with a readable reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an srmscan report or inventory")
    return data


def load_inventory(path: Path) -> Inventory:
    try:
        return Inventory.from_dict(read_json(path))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path}: malformed inventory ({type(exc).__name__}: {exc})") from exc
