"""The data-quality report of a clean run: where every input row went, checked and printed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from spark_jobs.clean import REASONS
from spark_jobs.errors import UserError


class QualityError(UserError):
    """The batch breaks a data-quality rule (accounting mismatch or too many quarantined rows)."""


@dataclass
class QualityReport:
    batch_id: str
    inputs: list[str]
    rows_read: int
    rows_valid: int
    duplicates_removed: int
    quarantined_by_reason: dict[str, int]
    event_dates: list[str] = field(default_factory=list)
    # whole files refused by `stream` before their lines were read: path -> reason (see REJECTIONS)
    rejected_files: dict[str, str] = field(default_factory=dict)
    checked_at: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    @property
    def quarantined_share(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0

    @property
    def months(self) -> list[str]:
        return sorted({day[:7] for day in self.event_dates})

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "rows_quarantined": self.rows_quarantined,
            "quarantined_share": round(self.quarantined_share, 6),
            "months": self.months,
        }

    def outcome_rows(self) -> list[tuple[str, str, int]]:
        """(outcome, reason, row_count) rows of the data_quality table; reason '' when not quarantined."""
        rows = [("valid", "", self.rows_valid), ("duplicate", "", self.duplicates_removed)]
        rows += [
            ("quarantined", reason, count) for reason, count in sorted(self.quarantined_by_reason.items())
        ]
        rejected = sorted(self.rejected_files.values())
        rows += [("rejected_file", reason, rejected.count(reason)) for reason in sorted(set(rejected))]
        return rows


def check_accounting(report: QualityReport) -> None:
    """Every row read is valid, a removed duplicate or quarantined: nothing is lost or invented."""
    accounted = report.rows_valid + report.duplicates_removed + report.rows_quarantined
    unknown = set(report.quarantined_by_reason) - set(REASONS)
    if report.duplicates_removed < 0 or accounted != report.rows_read or unknown:
        raise QualityError(
            f"batch {report.batch_id}: rows read {report.rows_read:,} != valid {report.rows_valid:,} + "
            f"duplicates {report.duplicates_removed:,} + quarantined {report.rows_quarantined:,}"
            + (f" (unknown reasons {sorted(unknown)})" if unknown else "")
        )


def check_quarantine_share(report: QualityReport, max_share: float) -> None:
    if report.quarantined_share > max_share:
        top = sorted(report.quarantined_by_reason.items(), key=lambda item: -item[1])[:3]
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in top)
        raise QualityError(
            f"batch {report.batch_id}: {report.quarantined_share:.2%} of {report.rows_read:,} rows quarantined "
            f"(limit {max_share:.2%}); top reasons: {reasons}"
        )


def format_report(report: QualityReport) -> str:
    lines = [
        f"Data quality, batch {report.batch_id}",
        f"  {'rows read':<28}{report.rows_read:>14,}",
        f"  {'valid (written)':<28}{report.rows_valid:>14,}",
        f"  {'duplicates removed':<28}{report.duplicates_removed:>14,}",
        f"  {'quarantined':<28}{report.rows_quarantined:>14,}  ({report.quarantined_share:.3%})",
    ]
    lines += [
        f"    {reason:<26}{count:>14,}"
        for reason, count in sorted(report.quarantined_by_reason.items(), key=lambda item: -item[1])
    ]
    lines += [f"  rejected file ({reason}): {path}" for path, reason in sorted(report.rejected_files.items())]
    return "\n".join(lines)
