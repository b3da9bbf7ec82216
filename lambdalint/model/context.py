"""The read gateway every rule and model view goes through: capped reads, read problems
reported once, the date, the limits, and the views shared by the whole run."""

from __future__ import annotations

import datetime as dt

from lambdalint.finding import Finding
from lambdalint.model.archive import Member, MemberError
from lambdalint.model.deployment import Artifact
from lambdalint.model.guard import DEFAULT_MAX_SOURCE_BYTES
from lambdalint.records import field, record


@record
class Context:
    """What rules may use besides the deployment: limits, the date, and guarded reads."""

    max_member_size: int
    today: dt.date
    max_source_size: int = DEFAULT_MAX_SOURCE_BYTES  # modules larger are not analysed
    # LL001/LL002 found while reading or parsing, whichever rule asked first.
    meta_findings: list[Finding] = field(default_factory=list)
    # Views shared by every rule and deployment of the run (parsed modules by content hash).
    cache: dict[str, object] = field(default_factory=dict)
    # What the user should know about what was not checked (shown once in the report).
    notes: list[str] = field(default_factory=list)
    _failed: set[tuple[str, str]] = field(default_factory=set)

    def read(self, artifact: Artifact, member: Member, limit: int | None = None,
             offset: int = 0) -> bytes | None:
        """Up to ``limit`` bytes of a member (capped), or None if it cannot be read.

        A member that cannot be read is reported once (LL001) however many rules ask.
        """
        if artifact.tree is None or member.encrypted:
            return None  # an encrypted entry is LL105's finding, not a read failure
        cap = self.max_member_size if limit is None else min(limit, self.max_member_size)
        try:
            return artifact.tree.read(member, cap, offset)
        except MemberError as exc:
            key = (artifact.path, member.name)
            if key not in self._failed:
                self._failed.add(key)
                self.meta_findings.append(Finding(
                    rule="LL001", path=artifact.path, member=member.name,
                    message=f"cannot read {member.name}: {exc}; the checks that need its "
                            "contents were skipped for it"))
            return None
