"""Unique visitors without keeping visitors: a HyperLogLog sketch (Flajolet et al., 2007)
of 1,024 one-byte registers per day and page.

Each visitor's salted hash sets at most one register to the position of its first 1-bit;
the registers estimate how many distinct hashes were added (±3 % at large counts, exact to
a few for the small ones through linear counting), and two sketches merge by taking each
register's maximum, which is how several processes' counts of one day add up without
counting a visitor twice. The registers cannot be turned back into hashes, let alone into
addresses."""

import math

BITS = 10
REGISTERS = 1 << BITS  # 1,024
_ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)


def empty() -> bytearray:
    return bytearray(REGISTERS)


def add(registers: bytearray, value: int) -> None:
    """Add a 64-bit hash."""
    index = value & (REGISTERS - 1)
    rest = value >> BITS
    rank = (64 - BITS) - rest.bit_length() + 1 if rest else (64 - BITS) + 1
    if rank > registers[index]:
        registers[index] = rank


def merge(into: bytearray, other: bytes) -> bytearray:
    for i, value in enumerate(other[:REGISTERS]):
        if value > into[i]:
            into[i] = value
    return into


def count(registers: bytes) -> int:
    zeros = registers.count(0)
    if zeros == REGISTERS:
        return 0
    estimate = _ALPHA * REGISTERS * REGISTERS / sum(2.0**-r for r in registers)
    if estimate <= 2.5 * REGISTERS and zeros:
        return round(REGISTERS * math.log(REGISTERS / zeros))  # linear counting
    return round(estimate)
