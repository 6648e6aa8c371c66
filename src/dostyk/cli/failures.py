"""What a command does when something goes wrong that it did not handle itself.

Every command runs inside :class:`GuardedGroup`, the ``dostyk`` command group, so this is the
one place between any command and the person at the terminal:

* an operational problem — the store busy, read-only, unreachable or misnamed (``StoreError``),
  a bad ``DOSTYK_*`` setting (``SettingError``), a damaged ledger key (``KeyFileError``), a file
  or folder that cannot be created or written (``OSError``) — is told in one line, exit 2
  (:data:`OPERATIONAL`);
* anything else is a bug: its trace is written to a log file under HOME/logs (or the temporary
  folder when the home is unusable) and one line names that file, exit 70 (:data:`SOFTWARE`,
  BSD's ``EX_SOFTWARE``). No traceback ever reaches the terminal.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

OPERATIONAL = 2
SOFTWARE = 70

#: What an ``OSError`` on a path means to someone who gave the path.
_REASONS = {
    errno.EEXIST: "exists and is not a folder",
    errno.ENOTDIR: "a part of it is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOENT: "no such file or folder, and it cannot be made there",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "disk quota exceeded",
    errno.ELOOP: "too many symbolic links (a link that points to itself?)",
    errno.ENAMETOOLONG: "the name is too long",
}


class GuardedGroup(TyperGroup):
    """The command group whose every command ends in a clean message, never a traceback."""

    command_line: list[str] | None = None

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        self.command_line = [info_name or "dostyk", *args]  # for the trace of a failure
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException, BrokenPipeError):
            raise  # Typer's own signals and messages, and a closed pipe, which Typer handles
        except Exception as error:
            raise Exit(report(error, self.command_line)) from None


def report(error: Exception, command_line: list[str] | None = None) -> int:
    """Tell the person what went wrong, in one line; the exit status to end with."""
    message = operational_message(error)
    if message is not None:
        _say(message)
        return OPERATIONAL
    log = write_trace(error, command_line or sys.argv)
    where = f"the trace is in {log}" if log else "no folder could be written to hold its trace"
    _say(f"unexpected error ({type(error).__name__}) in dostyk: {where}; please report it")
    return SOFTWARE


def operational_message(error: BaseException) -> str | None:
    """The one-line message for an operational error, or None when ``error`` is a bug."""
    # Imported here: they bring SQLAlchemy, which `dostyk --help` does not need.
    from dostyk.config import SettingError
    from dostyk.ledger.heads import KeyFileError
    from dostyk.store.errors import StoreError

    if isinstance(error, StoreError | SettingError | KeyFileError):
        return str(error)
    if isinstance(error, OSError) and (error.filename is not None or error.errno in _REASONS):
        return describe_os_error(error)
    return None


def describe_os_error(error: OSError) -> str:
    reason = _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()
    if error.filename is None:
        return f"cannot read or write a file: {reason}"
    target = os.fsdecode(error.filename)
    if error.filename2 is not None:
        return f"cannot move {target} to {os.fsdecode(error.filename2)}: {reason}"
    return f"{target}: {reason}"


def write_trace(error: BaseException, command_line: list[str]) -> Path | None:
    """Write the trace of ``error`` to a new log file: its path, or None if none could be made."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = (
        f"dostyk {_version()} at {stamp}, python {sys.version.split()[0]}\n"
        f"command: {command_line!r}\n\n" + "".join(traceback.format_exception(error))
    )
    for folder in _log_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=folder, prefix=f"dostyk-error-{stamp}-", suffix=".log")
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def _log_folders() -> list[Path]:
    from dostyk.cli.context import state

    folders = []
    if state.settings is not None:
        folders.append(state.settings.home / "logs")
    folders.append(Path(tempfile.gettempdir()))
    return folders


def _version() -> str:
    from dostyk import __version__

    return __version__


def _say(message: str) -> None:
    from dostyk.cli import terminal

    # As data, not markup: the message may quote a path or a value holding brackets.
    terminal.error("{}", message)


__all__ = ["OPERATIONAL", "SOFTWARE", "GuardedGroup", "report"]
