"""The hostile input corpus: `tests/data/bad_inputs/` files, their expected outcomes, and the
builders of the files too big to keep in git."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS
from tests.support.cards import TEST_PANS

CORPUS_DIR = Path(__file__).parents[1] / "data" / "bad_inputs"
MIB = 1024 * 1024
GIB = 1024 * MIB
HEADER = ",".join(ALL_COLUMNS) + "\n"


def _row(transaction_id: str, merchant_name: str = "Boulangerie Martin") -> str:
    return (
        f"{transaction_id},{TEST_PANS[0]},12.50,EUR,2026-11-20T10:00:00Z,M-1,{merchant_name},"
        "5462,T-1,card_present,FR,48.85,2.35\n"
    )


def _one_megabyte_field(path: Path) -> None:
    rows = [_row("big-ok-1"), _row("big-2", "x" * MIB), _row("big-ok-3")]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


def _gzip_bomb(path: Path) -> None:
    """4 GiB of newlines after a header, as 64 gzip members of 64 MiB each (a few MiB on disk)."""
    member = gzip.compress(b"\n" * (64 * MIB), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(HEADER.encode()))
        for _ in range(64):
            out.write(member)


def _one_gibibyte(path: Path) -> None:
    """Valid rows up to 1 GiB + 1 byte, written by doubling one block (a second or two)."""
    block = (HEADER + "".join(_row(f"gib-{i}") for i in range(1000))).encode()
    with path.open("wb") as out:
        out.write(block)
        filler = _row("gib-filler").encode() * (MIB // 128)
        while out.tell() + len(filler) <= GIB:
            out.write(filler)
        out.write(filler[: GIB + 1 - out.tell()])


BUILDERS: dict[str, Callable[[Path], None]] = {
    "one_megabyte_field.csv": _one_megabyte_field,
    "gzip_bomb.csv.gz": _gzip_bomb,
    "one_gibibyte.csv": _one_gibibyte,
}


@dataclass(frozen=True)
class Case:
    """One hostile file and what ingest must make of it."""

    name: str
    status: str
    file_error: str | None = None
    accepted: tuple[str, ...] = ()
    rejects: tuple[tuple[int, str, str], ...] = ()
    unknown_columns: tuple[str, ...] = ()
    generated: bool = False

    def materialise(self, folder: Path) -> Path:
        """The file on disk: the committed one, or a freshly built one in `folder`."""
        if not self.generated:
            return CORPUS_DIR / self.name
        path = folder / self.name
        if not path.exists():
            BUILDERS[self.name](path)
        return path


def _case(name: str, spec: dict[str, Any], generated: bool) -> Case:
    return Case(
        name=name,
        status=spec["status"],
        file_error=spec.get("file_error"),
        accepted=tuple(spec.get("accepted", ())),
        rejects=tuple((int(r), str(c), str(why)) for r, c, why in spec.get("rejects", ())),
        unknown_columns=tuple(spec.get("unknown_columns", ())),
        generated=generated,
    )


def load_corpus() -> list[Case]:
    """Every case of `expected.yaml`; fails if a committed file has no expectation or back."""
    manifest = yaml.safe_load((CORPUS_DIR / "expected.yaml").read_text(encoding="utf-8"))
    cases = [_case(n, s, False) for n, s in manifest["files"].items()]
    cases += [_case(n, s, True) for n, s in manifest["generated"].items()]
    on_disk = {p.name for p in CORPUS_DIR.iterdir() if p.name != "expected.yaml"}
    committed = {c.name for c in cases if not c.generated}
    if on_disk != committed:
        raise ValueError(f"corpus and expected.yaml disagree: {sorted(on_disk ^ committed)}")
    if set(BUILDERS) != {c.name for c in cases if c.generated}:
        raise ValueError("every generated case needs a builder and an expectation")
    return cases
