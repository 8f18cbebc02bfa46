"""Formatting shared by the sections of BENCHMARKS.md and the printed table."""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def met(ok: bool) -> str:
    return "met" if ok else "missed"


def yes(value: bool) -> str:
    return "yes" if value else "no"


def md_table(header, body) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in body]
    return lines
