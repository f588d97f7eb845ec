"""What an export or import wrote, kind by kind, for the command to print."""

from dataclasses import dataclass, field


@dataclass
class Counts:
    written: dict[str, int] = field(default_factory=dict)
    missing_media: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1):
        self.written[kind] = self.written.get(kind, 0) + n

    def lines(self, verb: str) -> list[str]:
        parts = [f"{n} {kind}" for kind, n in self.written.items()]
        lines = [f"{verb}: " + (", ".join(parts) if parts else "nothing")]
        if self.missing_media:
            lines.append(f"Media files not found ({len(self.missing_media)}):")
            lines += [f"  {name}" for name in self.missing_media]
        return lines
