"""The project's own error types.

A `UserError` is a mistake the user can fix (a malformed scenario, an unknown TPS id, a
negative budget, an infeasible policy). The command line prints its one-line message and
exits with code 2, never a traceback. Anything else is an internal error (exit 1).
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input, reported as one clear line.

    `where` names the file, `location` the YAML path (``voters.stages[1].service_min.cv``) or
    the CSV row and column, and `message` says what is wrong and what is allowed.
    """

    def __init__(self, message: str, *, where: str | None = None, location: str | None = None):
        self.message = message
        self.where = where
        self.location = location
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as printed by the command line: ``file: location: what and fix``."""
        parts = [_printable(p) for p in (self.where, self.location) if p]
        text = " ".join(self.message.split())
        return ": ".join([*parts, text])


def _printable(text: str) -> str:
    """`text` with control characters (a key or a file name holding a newline, a carriage
    return, an escape code) written as escapes, so the message stays one line and cannot
    rewrite the user's terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(UserError):
    """A scenario file (YAML or its CSV tables) is malformed or inconsistent."""


class PlanError(UserError):
    """A plan file is malformed or does not fit the scenario."""


class InfeasibleError(UserError):
    """No deployment satisfies the policy within budgets and availability."""


class ScenarioProblems(ScenarioError):
    """Several problems found in one table (a TPS or TPS-rawan sheet), all reported at once so
    the user can fix every row in one pass rather than one per run.

    `one_line()` gives one line per problem; the command line prefixes the first with
    ``error:`` and this class prefixes the others the same way, so each line stands alone.
    """

    MAX_SHOWN = 50
    """Problems printed (the rest are counted): a sheet with a wrong column mapping may fail
    on every one of thousands of rows, and the first fifty show the pattern."""

    def __init__(self, problems: list[UserError]):
        if not problems:
            raise ValueError("ScenarioProblems needs at least one problem")
        self.problems = list(problems)
        first = problems[0]
        super().__init__(first.message, where=first.where, location=first.location)

    def one_line(self) -> str:
        """Each problem's own line, joined by newlines (``error:`` before all but the first)."""
        shown = [p.one_line() for p in self.problems[: self.MAX_SHOWN]]
        if len(self.problems) > self.MAX_SHOWN:
            shown.append(f"... and {len(self.problems) - self.MAX_SHOWN} more problems")
        return "\nerror: ".join(shown)
