from typing import Iterable, Mapping


def total(lines: Iterable[Mapping[str, float]]) -> float:
    amount = 0.0
    for line in lines:
        amount += line["price"] * line["qty"]
    return round(amount, 2)
