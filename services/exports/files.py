"""The file of an export: written under a temporary name, renamed only when complete."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from services.exports.outcomes import Unwritable


def reason(exc: OSError) -> str:
    """The operating system's words for an error, without the Python around them."""
    return exc.strerror or str(exc) or type(exc).__name__


@dataclass(frozen=True)
class PartFile:
    """A temporary file next to the target: same directory, so the rename is atomic."""

    target: Path
    path: Path

    def publish(self) -> None:
        """Put the complete file under its final name (replacing an older one)."""
        os.replace(self.path, self.target)

    def discard(self) -> None:
        """Remove the temporary file, so a failure leaves nothing half-written behind."""
        self.path.unlink(missing_ok=True)


def reserve(target: Path) -> PartFile | Unwritable:
    """Make the temporary file next to the target, or say why that cannot be done."""
    target = target.absolute()
    if target.is_dir():
        return Unwritable(target, "is a directory")
    if not target.parent.is_dir():
        return Unwritable(target, f"directory {target.parent} does not exist")
    try:
        # mkstemp makes the file readable by its owner only; an export holds personal
        # data, and the rename keeps those permissions.
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        return Unwritable(target, reason(exc))
    os.close(fd)
    return PartFile(target, Path(name))
