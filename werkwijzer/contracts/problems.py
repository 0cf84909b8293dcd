"""What a contract violation says: the file, the row, the column, the value and what was expected.

Row numbers count the header as row 1, as a spreadsheet shows them, so the first data row of a
CSV file is row 2. A value that may be personal data (a BSN) is never echoed back, nor is any
number in a message that passes the BSN eleven-test (a column name, a team).
"""

from __future__ import annotations

from dataclasses import dataclass

from werkwijzer.privacy import redact_bsn

MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    file: str
    expected: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    withhold_value: bool = False

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.withhold_value:
            got = "got a value that is withheld"
        elif self.value is not None:
            got = f"got {self.value!r}"
        else:
            got = ""
        head = ", ".join(where)
        return redact_bsn(f"{head}: {got + '; ' if got else ''}expected {self.expected}")


class ContractError(ValueError):
    """Raised when a user file breaks its data contract; lists every problem found (up to a limit)."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("ContractError needs at least one problem")
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"... and {len(problems) - MAX_LISTED} more problems")
        super().__init__("\n".join(lines))

    @property
    def first(self) -> Problem:
        return self.problems[0]
